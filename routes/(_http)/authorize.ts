import type { Context, Method } from "../../lib/define.ts";
import type { Access } from "../../lib/access.ts";
import { apiOperation } from "../../lib/api.ts";
import { Forbidden, NotFound, TwoFactorEnrollmentRequired, Unauthorized } from "../../lib/errors.ts";
import { recordAudit } from "../../services/audit.ts";
import { isStaff } from "../../services/auth/roles.ts";
import type { State } from "../_define.ts";
import { log } from "../../services/log.ts";

/**
 * Enforces the access rule each route declares, before its handler runs: API routes in `api[method].access`,
 * pages in `export const access`. Undeclared API operations are refused (deny by default). Pages hide what a
 * visitor may not see (404, or the sign-in page when signed out); the API answers 401/403. Staff get nothing
 * staff-only until they have enrolled 2FA (403 `two_factor_enrollment_required`; pages say how to enrol).
 * Refusals of a signed-in user are audited.
 */
export async function authorize(ctx: Context<State>): Promise<Response> {
  const route = ctx.route;
  if (!route) return ctx.next();
  const isApi = route.pattern.startsWith("/api/");
  // A method the route has no handler for has nothing to authorize: the route's own step answers 405 with
  // `Allow` (lib/app/dispatch.ts), as for a page. Unsafe methods have passed the origin check (csrf.ts) by
  // now, so a cross-site request is still refused first. A handler without a declared rule stays refused.
  if (isApi && !route.methods.includes(ctx.req.method as Method)) return ctx.next();
  const access: Access | undefined = isApi
    ? apiOperation(route.module, ctx.req.method)?.access
    : (route.module.access as Access | undefined) ?? "public";
  if (access === "public") return ctx.next();

  const user = ctx.state.user;
  if (access === undefined) {
    log.error("route declares no access rule; refusing", { method: ctx.req.method, route: route.pattern });
    throw new Forbidden("This operation is not available.");
  }
  if (!user) {
    if (isApi) throw new Unauthorized();
    const next = encodeURIComponent(ctx.url.pathname + ctx.url.search);
    return new Response(null, { status: 303, headers: { location: `/signin?next=${next}` } });
  }
  if (access === "authenticated") return ctx.next();
  if (access.includes(user.role)) {
    // A staff password alone is not enough for staff powers: one phished or reset password would otherwise
    // open the back office. The security page (access "authenticated") stays open, so they can enrol.
    if (!isStaff(user) || user.twoFactorEnabled) return ctx.next();
    await recordAudit(ctx.state.deps.db.sql, ctx.state.actor, "authz.denied", {
      type: "route",
      id: route.pattern,
      details: { method: ctx.req.method, role: user.role, reason: "two_factor_not_enrolled" },
    });
    throw new TwoFactorEnrollmentRequired();
  }

  await recordAudit(ctx.state.deps.db.sql, ctx.state.actor, "authz.denied", {
    type: "route",
    id: route.pattern,
    details: { method: ctx.req.method, role: user.role, required: access },
  });
  throw isApi ? new Forbidden() : new NotFound();
}
