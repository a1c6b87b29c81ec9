/**
 * What happens around every request (lib/app/observe.ts): its trace context (W3C `traceparent` honoured,
 * services/trace_context.ts) for every log line written while it is handled, `x-request-id` and `traceparent`
 * on the response, the HTTP metrics by route pattern, and one access-log line per request.
 *
 * An access line: `{"msg":"request","method","route","path","status","durationMs","bytes","requestId","userId",
 * "ip"}` — `route` is the pattern, `path` is masked like any logged string (a reset link's token never shows).
 * For a routed request `durationMs` runs until the last byte left and `bytes` counts what the body stream gave
 * the server (for an event stream: the line is written when it opens, `bytes` null).
 *
 * A page from the cache (`route` `(cached)`) is logged the moment it is answered: `durationMs` is the time to
 * answer it (what the latency histogram records too) and `bytes` the length of the stored body handed to the
 * server (0 for HEAD and 304). Waiting for Deno.serve's `completed` would add nothing: for a body given as
 * bytes it resolves once Deno has taken them, also when the client resets the connection without reading a
 * byte (measured on Deno 2.9.6), so it never told a delivered page from an abandoned one — and waiting cost
 * every hit a promise and a task. A client that goes away early is logged like nginx's `$body_bytes_sent`
 * would be at best: with what was handed over, not what arrived.
 */
import { CACHED_ROUTE, type RequestObserver } from "../lib/app/observe.ts";
import { log, withTrace } from "./log.ts";
import { type HttpSeries, httpSeries, observeHttp } from "./metrics/http.ts";
import { traceContextFor, traceparentOf } from "./trace_context.ts";
import { clientIp, type ProxyTrust } from "./client_ip.ts";

/** The part of a request's state the access log reads (the app's `State` has it). */
interface ObservedState {
  actor: { userId: string | null; ip: string | null };
}

/** Writes one access line, its values in this order (the fields the module comment lists). */
const accessLine = log.child({ scope: "http" }).prepare("info", "request", [
  "method",
  "route",
  "path",
  "status",
  "durationMs",
  "bytes",
  "requestId",
  "userId",
  "ip",
]);

/** The app's request observer (fresh.config.ts); `config` is read per request. */
export function observeRequests<S extends ObservedState>(
  config: { readonly accessLog: boolean } & ProxyTrust,
): RequestObserver<S> {
  const cachedSeries: Record<string, HttpSeries> = {
    GET: httpSeries("GET", CACHED_ROUTE),
    HEAD: httpSeries("HEAD", CACHED_ROUTE),
  };
  return {
    async request(req, handle, matched, remoteAddr) {
      const started = performance.now();
      const trace = traceContextFor(req.headers.get("traceparent"));
      let res = await withTrace({ requestId: trace.traceId, spanId: trace.spanId }, handle);
      const seen = matched();
      observeHttp(req.method, seen.route, res.status, (performance.now() - started) / 1000);
      res = withHeaders(res, { "x-request-id": trace.traceId, traceparent: traceparentOf(trace) });
      if (!config.accessLog) return res;
      const line = (bytes: number | null) =>
        accessLine([
          req.method,
          seen.route,
          pathOf(req.url),
          res.status,
          Math.round((performance.now() - started) * 10) / 10,
          bytes,
          trace.traceId,
          seen.state?.actor.userId ?? null,
          seen.state ? seen.state.actor.ip : clientIp(req, remoteAddr, config),
        ]);
      // An event stream lives for minutes: its line is written when it opens, not when it ends.
      if (!res.body || res.headers.get("content-type")?.startsWith("text/event-stream")) {
        line(res.body ? null : 0);
        return res;
      }
      return countingBody(res, line);
    },

    // A page from the cache: no async context (nothing logs inside), no await, the response built once
    // with its request id in it. What it logs and counts is what a routed request logs and counts; its line
    // is written at once (see the module comment).
    cachedHit(req, answer, remoteAddr) {
      const started = performance.now();
      const trace = traceContextFor(req.headers.get("traceparent"));
      const { response, bytes } = answer([
        ["x-request-id", trace.traceId],
        ["traceparent", traceparentOf(trace)],
      ]);
      const ms = performance.now() - started;
      const series = cachedSeries[req.method];
      if (series) series.observe(response.status, ms / 1000);
      else observeHttp(req.method, CACHED_ROUTE, response.status, ms / 1000);
      if (config.accessLog) {
        // Nothing here reads `response.body` or `response.headers`: either getter makes Deno.serve take a
        // slower way to send it.
        accessLine([
          req.method,
          CACHED_ROUTE,
          pathOf(req.url),
          response.status,
          Math.round(ms * 10) / 10,
          bytes,
          trace.traceId,
          null,
          clientIp(req, remoteAddr, config),
        ]);
      }
      return response;
    },
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
