/**
 * HTTP metrics, labelled by the route pattern that answered (`/api/accounts/:id`, or `(cached)`,
 * `(static)`, `(none)` for the 404 page; lib/app/observe.ts) — never the raw path, whose ids would make a
 * label value per account.
 */
import { Counter, Histogram } from "prom-client";
import { registry, statusClass } from "./registry.ts";
import { seriesOf } from "./series.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const duration = new Histogram({
  name: "proptrade_http_request_duration_seconds",
  help: "Time from a request's arrival to its response headers, by method and route pattern.",
  labelNames: ["method", "route"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

const requests = new Counter({
  name: "proptrade_http_requests_total",
  help: "Requests answered, by method, route pattern and status class (2xx, 3xx, 4xx, 5xx).",
  labelNames: ["method", "route", "status_class"] as const,
  registers: [registry],
});

/** Records one answered request. */
export function observeHttp(method: string, route: string, status: number, seconds: number): void {
  const m = METHODS.has(method) ? method : "OTHER";
  duration.observe({ method: m, route }, seconds);
  requests.inc({ method: m, route, status_class: statusClass(status) });
}

/** `statusClass` of the statuses a server sends, computed once. */
const STATUS_CLASSES: string[] = Array.from({ length: 600 }, (_, status) => statusClass(status));

/** The HTTP metrics of one method and route, resolved once: recording costs no label lookup. */
export interface HttpSeries {
  observe(status: number, seconds: number): void;
}

/**
 * {@link observeHttp} for a fixed `method` and `route`, for a path that answers many requests (cached
 * pages): the same series, the same figures, a fraction of the cost per request.
 */
export function httpSeries(method: string, route: string): HttpSeries {
  const m = METHODS.has(method) ? method : "OTHER";
  const series = seriesOf(duration, requests, { method: m, route });
  return {
    observe: (status, seconds) => series.observe(STATUS_CLASSES[status] ?? statusClass(status), seconds),
  };
}
