import type { Context } from "../../lib/define.ts";
import { apiOperation } from "../../lib/api.ts";
import { enforce, RATE_RULES as RULES } from "../../services/rate_limit/rules.ts";
import type { State } from "../_define.ts";

/**
 * The general per-IP budget of the JSON API (auth endpoints add tighter per-account limits of their own).
 * Signature-authenticated machine routes (`rateLimit: "self"`) budget per signed caller instead.
 */
export async function apiRateLimit(ctx: Context<State>): Promise<Response> {
  const selfLimited = ctx.route && apiOperation(ctx.route.module, ctx.req.method)?.rateLimit === "self";
  if (ctx.url.pathname.startsWith("/api/") && !selfLimited) {
    await enforce(ctx.state.deps.limiter, RULES.api_ip, ctx.state.actor.ip ?? "unknown");
  }
  return ctx.next();
}
