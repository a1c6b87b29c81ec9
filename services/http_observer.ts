/**
 * What happens around every request (lib/app/observe.ts): its trace context (W3C `traceparent` honoured,
 * services/trace_context.ts) for every log line written while it is handled, `x-request-id` and `traceparent`
 * on the response, the HTTP metrics by route pattern, and one access-log line once the body is sent.
 *
 * An access line: `{"msg":"request","method","route","path","status","durationMs","bytes","requestId","userId",
 * "ip"}` — `route` is the pattern, `path` is masked like any logged string (a reset link's token never shows);
 * `durationMs` runs until the last byte left (for an event stream: when it was opened, as `bytes` is null then).
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
    // with its request id in it. What it logs and counts is what a routed request logs and counts.
    cachedHit(req, answer, remoteAddr, sent) {
      const started = performance.now();
      const trace = traceContextFor(req.headers.get("traceparent"));
      const { response, bytes } = answer([
        ["x-request-id", trace.traceId],
        ["traceparent", traceparentOf(trace)],
      ]);
      const series = cachedSeries[req.method];
      const seconds = (performance.now() - started) / 1000;
      if (series) series.observe(response.status, seconds);
      else observeHttp(req.method, CACHED_ROUTE, response.status, seconds);
      if (!config.accessLog) return response;
      const line = (sentBytes: number | null) =>
        accessLine([
          req.method,
          CACHED_ROUTE,
          pathOf(req.url),
          response.status,
          Math.round((performance.now() - started) * 10) / 10,
          sentBytes,
          trace.traceId,
          null,
          clientIp(req, remoteAddr, config),
        ]);
      // Its length is known, so no counting stream stands in its way, only the server's word that it left
      // whole; a client gone first leaves `bytes` null (how much it got is unknown). Nothing here reads
      // `response.body` or `response.headers`: either getter makes Deno.serve take a slower way to send it.
      if (bytes === 0) line(0);
      else if (sent) sent().then(() => line(bytes), () => line(null));
      else return countingBody(response, line);
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
