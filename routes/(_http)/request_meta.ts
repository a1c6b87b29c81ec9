import type { Context } from "../../lib/define.ts";
import type { State } from "../_define.ts";

/**
 * Who is calling, from where. `X-Forwarded-For` is trusted only when TRUST_PROXY says a proxy of ours sits
 * in front; then its last entry is the address that proxy saw (earlier entries are client-supplied).
 */
export function requestMeta(ctx: Context<State>): Promise<Response> {
  const { config } = ctx.state.deps;
  let ip = ctx.remoteAddr ?? null;
  if (config.trustProxy) {
    const forwarded = ctx.req.headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) ip = forwarded[forwarded.length - 1];
  }
  ctx.state.actor = { userId: null, ip, userAgent: ctx.req.headers.get("user-agent") };
  return ctx.next();
}
