import type { Context } from "../../lib/define.ts";
import type { State } from "../_define.ts";
import { withRequestId } from "../../services/log.ts";

/** `version-traceid-parentid-flags`; an all-zero trace id is invalid (W3C Trace Context §3.2.2.3). */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The request's id: the trace id of an incoming W3C `traceparent` (so our lines join the caller's trace),
 * else a fresh random one of the same shape. Anything else the client sends is ignored, so an id in the log
 * is always 32 hex digits and never text an attacker chose to inject into it.
 */
function requestIdFor(req: Request): string {
  const traceId = TRACEPARENT.exec(req.headers.get("traceparent")?.trim().toLowerCase() ?? "")?.[1];
  if (traceId && !/^0+$/.test(traceId)) return traceId;
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * Who is calling, from where. `X-Forwarded-For` is trusted only when TRUST_PROXY says a proxy of ours sits
 * in front; then its last entry is the address that proxy saw (earlier entries are client-supplied).
 * Also names the request: its id is in `ctx.state.requestId`, on every line logged while it is handled
 * (services included, through the async context) and in the `x-request-id` response header.
 */
export function requestMeta(ctx: Context<State>): Promise<Response> {
  const { config } = ctx.state.deps;
  let ip = ctx.remoteAddr ?? null;
  if (config.trustProxy) {
    const forwarded = ctx.req.headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) ip = forwarded[forwarded.length - 1];
  }
  ctx.state.actor = { userId: null, ip, userAgent: ctx.req.headers.get("user-agent") };
  const requestId = requestIdFor(ctx.req);
  ctx.state.requestId = requestId;
  return withRequestId(requestId, async () => {
    const res = await ctx.next();
    try {
      res.headers.set("x-request-id", requestId);
      return res;
    } catch {
      // Immutable headers (`Response.redirect`, a fetched response): answer with a copy that can carry it.
      const copy = new Response(res.body, res);
      copy.headers.set("x-request-id", requestId);
      return copy;
    }
  });
}
