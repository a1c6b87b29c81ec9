import type { Context } from "../../lib/define.ts";
import { type Access, apiOperation } from "../../lib/api.ts";
import { Forbidden, NotFound, Unauthorized } from "../../lib/errors.ts";
import { recordAudit } from "../../services/audit.ts";
import type { State } from "../_define.ts";

/**
 * Enforces the access rule each route declares, before its handler runs: API routes in `api[method].access`,
 * pages in `export const access`. Undeclared API operations are refused (deny by default). Pages hide what a
 * visitor may not see (404, or the sign-in page when signed out); the API answers 401/403. Refusals of a
 * signed-in user are audited.
 */
export async function authorize(ctx: Context<State>): Promise<Response> {
  const route = ctx.route;
  if (!route) return ctx.next();
  const isApi = route.pattern.startsWith("/api/");
  const access: Access | undefined = isApi
    ? apiOperation(route.module, ctx.req.method)?.access
    : (route.module.access as Access | undefined) ?? "public";
  if (access === "public") return ctx.next();

  const user = ctx.state.user;
  if (access === undefined) {
    console.error(`${ctx.req.method} ${route.pattern} declares no access rule; refusing`);
    throw new Forbidden("This operation is not available.");
  }
  if (!user) {
    if (isApi) throw new Unauthorized();
    const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
    return new Response(null, { status: 303, headers: { location: `/signin?next=${next}` } });
  }
  if (access === "authenticated" || access.includes(user.role)) return ctx.next();

  await recordAudit(ctx.state.deps.db.sql, ctx.state.actor, "authz.denied", {
    type: "route",
    id: route.pattern,
    details: { method: ctx.req.method, role: user.role, required: access },
  });
  throw isApi ? new Forbidden() : new NotFound();
}
