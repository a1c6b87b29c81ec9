import type { Context } from "../../lib/define.ts";
import { HttpError } from "../../lib/errors.ts";
import { recordAudit } from "../../services/audit.ts";
import type { State } from "../_define.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a browser attaches our cookies to requests from any site, so every unsafe request that is not
 * bearer-authenticated must come from our own origin. Browsers say where a request comes from
 * (`Sec-Fetch-Site`, else `Origin`); a request with neither and no cookies is a non-browser client, which
 * cannot be forged into carrying a session. This covers JSON endpoints and forms alike, and sign-in (login
 * CSRF) too.
 */
export async function csrf(ctx: Context<State>): Promise<Response> {
  if (SAFE.has(ctx.req.method) || ctx.state.authVia === "bearer") return ctx.next();
  const site = ctx.req.headers.get("sec-fetch-site");
  const origin = ctx.req.headers.get("origin");
  const appOrigin = new URL(ctx.state.deps.config.appUrl).origin;
  let allowed: boolean;
  if (site !== null) allowed = site === "same-origin" || site === "none";
  else if (origin !== null) allowed = origin === appOrigin || origin === ctx.url.origin;
  else allowed = !ctx.req.headers.has("cookie");
  if (allowed) return ctx.next();

  await recordAudit(ctx.state.deps.db.sql, ctx.state.actor, "authz.denied", {
    type: "route",
    id: ctx.url.pathname,
    details: { reason: "csrf", method: ctx.req.method, secFetchSite: site, origin },
  });
  throw new HttpError(403, "csrf", "Cross-site request refused.");
}
