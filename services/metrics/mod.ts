/**
 * `GET /metrics`: Prometheus text of the process (registry.ts) and of the app's services (streams, database,
 * business figures), for a scraper that proves it may read them.
 *
 * Who may scrape: with `METRICS_TOKEN` set, a request with `Authorization: Bearer <METRICS_TOKEN>` (else 401).
 * With `METRICS_PORT` set, only that listener answers `/metrics` (bind it to an interface the public cannot
 * reach); the public port's `/metrics` is the ordinary 404. With neither set, production answers 404 (metrics
 * are never public by accident) and development and tests answer anyone.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Registry } from "prom-client";
import type { Deps } from "../deps.ts";
import { collectProcessMetrics, registry } from "./registry.ts";
import { streamMetrics } from "./streams.ts";
import { databaseMetrics } from "./database.ts";
import { businessMetrics } from "./business.ts";
import { backupMetrics } from "./backups.ts";

export const METRICS_PATH = "/metrics";

type MetricsDeps = Pick<Deps, "db" | "bus" | "store" | "config">;

const perDeps = new WeakMap<MetricsDeps, Registry>();

function appRegistry(deps: MetricsDeps): Registry {
  let r = perDeps.get(deps);
  if (!r) {
    r = new Registry();
    streamMetrics(deps.bus, r);
    databaseMetrics(deps, r);
    businessMetrics(deps, r);
    backupMetrics(deps, r);
    perDeps.set(deps, r);
  }
  return r;
}

/** The exposition text of the process and of `deps`' services. */
export async function metricsText(deps: MetricsDeps): Promise<string> {
  collectProcessMetrics();
  return await Registry.merge([registry, appRegistry(deps)]).metrics();
}

/** Where a `/metrics` request arrived: the public listener, or the internal one of `METRICS_PORT`. */
export type MetricsListener = "public" | "internal";

/**
 * The answer to `req` if it asks for `/metrics`, else null (the app answers it). On the public listener a
 * request the configuration does not expose metrics to gets null too, so it meets the app's ordinary 404.
 */
export async function answerMetrics(
  req: Request,
  deps: MetricsDeps,
  listener: MetricsListener,
): Promise<Response | null> {
  if (!isMetricsPath(req.url)) return null;
  const { metricsToken, metricsPort, env } = deps.config;
  if (listener === "public" && (metricsPort !== undefined || (!metricsToken && env === "production"))) {
    return null;
  }
  const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
  if (req.method !== "GET" && req.method !== "HEAD") {
    return Response.json(
      { error: { code: "method_not_allowed", message: "Use GET.", fields: {} } },
      { status: 405, headers: { ...headers, allow: "GET, HEAD" } },
    );
  }
  if (metricsToken && !bearerMatches(req.headers.get("authorization"), metricsToken)) {
    return Response.json(
      {
        error: { code: "unauthorized", message: "Send `Authorization: Bearer <METRICS_TOKEN>`.", fields: {} },
      },
      { status: 401, headers: { ...headers, "www-authenticate": 'Bearer realm="metrics"' } },
    );
  }
  const body = await metricsText(deps);
  return new Response(req.method === "HEAD" ? null : body, {
    headers: { ...headers, "content-type": registry.contentType },
  });
}

function isMetricsPath(url: string): boolean {
  // Every request asks this (cached pages too): most answer at the first test.
  if (!url.includes(METRICS_PATH)) return false;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return false;
  const end = url.indexOf("?", start);
  return url.slice(start, end === -1 ? undefined : end) === METRICS_PATH;
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function bearerMatches(header: string | null, token: string): boolean {
  const given = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
  if (!given) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** `fetch` answering `/metrics` (as `answerMetrics` decides for the public listener) before the app. */
export function withMetricsEndpoint<
  F extends (req: Request, ...rest: never[]) => Response | Promise<Response>,
>(
  fetch: F,
  deps: MetricsDeps,
): F {
  // Not async: every other request (cached pages included) goes straight through, without an extra await.
  return ((req: Request, ...rest: never[]) => {
    if (!isMetricsPath(req.url)) return fetch(req, ...rest);
    return answerMetrics(req, deps, "public").then((res) => res ?? fetch(req, ...rest));
  }) as F;
}
