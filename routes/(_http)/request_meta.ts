import type { Context } from "../../lib/define.ts";
import type { State } from "../_define.ts";
import { currentTrace } from "../../services/log.ts";
import { clientIp } from "../../services/client_ip.ts";
import { traceContextFor } from "../../services/trace_context.ts";

/**
 * Who is calling, from where (services/client_ip.ts: `X-Forwarded-For` only behind a proxy of ours), and the
 * request's id in `ctx.state.requestId`: the trace id the app's request observer (services/http_observer.ts)
 * took from the W3C `traceparent` or made up, and put on every log line and in the `x-request-id` header.
 */
export function requestMeta(ctx: Context<State>): Promise<Response> {
  const { config } = ctx.state.deps;
  const ip = clientIp(ctx.req, ctx.remoteAddr, config);
  ctx.state.actor = { userId: null, ip, userAgent: ctx.req.headers.get("user-agent") };
  // Without the observer (the chain run on its own) the request still gets an id of the same shape.
  ctx.state.requestId = currentTrace()?.requestId ??
    traceContextFor(ctx.req.headers.get("traceparent")).traceId;
  return ctx.next();
}
