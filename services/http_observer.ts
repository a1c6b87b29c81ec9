/**
 * What happens around every request (lib/app/observe.ts): its trace context (W3C `traceparent` honoured,
 * services/trace_context.ts) for every log line written while it is handled, `x-request-id` and `traceparent`
 * on the response, the HTTP metrics by route pattern, and one access-log line once the body is sent.
 *
 * An access line: `{"msg":"request","method","route","path","status","durationMs","bytes","requestId","userId",
 * "ip"}` — `route` is the pattern, `path` is masked like any logged string (a reset link's token never shows);
 * `durationMs` runs until the last byte left (for an event stream: when it was opened, as `bytes` is null then).
 */
import type { RequestObserver } from "../lib/app/observe.ts";
import { log, withTrace } from "./log.ts";
import { observeHttp } from "./metrics/http.ts";
import { traceContextFor, traceparentOf } from "./trace_context.ts";
import { clientIp, type ProxyTrust } from "./client_ip.ts";

/** The part of a request's state the access log reads (the app's `State` has it). */
interface ObservedState {
  actor: { userId: string | null; ip: string | null };
}

const access = log.child({ scope: "http" });

/** The app's request observer (fresh.config.ts); `config` is read per request. */
export function observeRequests<S extends ObservedState>(
  config: { readonly accessLog: boolean } & ProxyTrust,
): RequestObserver<S> {
  return async (req, handle, matched, remoteAddr, sent) => {
    const started = performance.now();
    const trace = traceContextFor(req.headers.get("traceparent"));
    let res = await withTrace({ requestId: trace.traceId, spanId: trace.spanId }, handle);
    const seen = matched();
    observeHttp(req.method, seen.route, res.status, (performance.now() - started) / 1000);
    res = withHeaders(res, { "x-request-id": trace.traceId, traceparent: traceparentOf(trace) });
    if (!config.accessLog) return res;
    const line = (bytes: number | null) =>
      access.info("request", {
        method: req.method,
        route: seen.route,
        path: pathOf(req.url),
        status: res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        bytes,
        requestId: trace.traceId,
        userId: seen.state?.actor.userId ?? null,
        ip: seen.state ? seen.state.actor.ip : clientIp(req, remoteAddr, config),
      });
    // A body of known length (a cached page) needs no counting stream in its way, only the server's word
    // that it left whole; a client gone first leaves `bytes` null (how much it got is unknown). Checked
    // before anything reads `res.body`: that getter turns a byte body into a stream, which Deno.serve then
    // sends by its slower streaming path.
    if (seen.bytes !== undefined && sent) {
      const bytes = seen.bytes;
      if (bytes === 0) line(0);
      else sent().then(() => line(bytes), () => line(null));
      return res;
    }
    // An event stream lives for minutes: its line is written when it opens, not when it ends.
    if (!res.body || res.headers.get("content-type")?.startsWith("text/event-stream")) {
      line(res.body ? null : 0);
      return res;
    }
    return countingBody(res, line);
  };
}

/** `res` with `headers` set; immutable headers (`Response.redirect`, a fetched response) get a copy. */
function withHeaders(res: Response, headers: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

/** `res` whose body counts its bytes and calls `done` once it is sent (or the client went away). */
function countingBody(res: Response, done: (bytes: number) => void): Response {
  let bytes = 0;
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    done(bytes);
  };
  const counted = res.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush: report,
      cancel: report,
    }),
  );
  return new Response(counted, res);
}

/** "http://host/a/b?x=1" → "/a/b?x=1". */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}
