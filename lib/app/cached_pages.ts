/**
 * Step 5: the page cache's two ends. Pages identical for every visitor are stored after their first render
 * and answered from then on before routing and middleware, as a CDN in front of the app would: this is what
 * makes public pages cost about as much as a hello world.
 */
import type { Hono } from "hono";
import type { PageCache } from "../page_cache.ts";
import { type SecurityOptions, withSecurityHeaders } from "../security_headers.ts";
import { CACHED_ROUTE, type RouteMarks } from "./observe.ts";

/** What a cacheable route's dispatch does with its fresh response. */
export interface CachePages {
  /**
   * Stores `res` under the request's path and query when it is the same for every visitor, and returns the
   * response to send (the stored copy's, or `res` unchanged).
   */
  storeIfShared(
    req: Request,
    cache: { tags: string[]; maxAgeSeconds?: number },
    res: Response,
  ): Promise<Response>;
}

/** The store end, for routes that declare `config.cache`. */
export function pageCacheStore(opts: {
  pageCache: PageCache;
  isPersonal: (req: Request) => boolean;
  security: SecurityOptions;
}): CachePages {
  return {
    async storeIfShared(req, { tags, maxAgeSeconds }, res) {
      const shared = (req.method === "GET" || req.method === "HEAD") && !opts.isPersonal(req);
      // Only island-free pages (CSP without a nonce) are identical for every visitor.
      if (!shared || res.status !== 200 || res.headers.get("content-security-policy")?.includes("nonce-")) {
        return res;
      }
      res.headers.set("cache-control", "public, max-age=0, must-revalidate");
      return await opts.pageCache.store(
        pathAndQuery(req.url),
        tags,
        withSecurityHeaders(res, opts.security),
        maxAgeSeconds,
      );
    },
  };
}

/** The answer end: wraps `fetch` so a hit never reaches the router, middleware or the request context. */
export function answerCachedFirst<State>(
  fetch: Hono["fetch"],
  opts: { pageCache: PageCache; isPersonal: (req: Request) => boolean; marks?: RouteMarks<State> },
): Hono["fetch"] {
  const { pageCache, isPersonal, marks } = opts;
  return (req, env, executionCtx) => {
    if ((req.method === "GET" || req.method === "HEAD") && pageCache.size > 0 && !isPersonal(req)) {
      const hit = pageCache.match(pathAndQuery(req.url), req);
      if (hit) {
        marks?.mark(req, CACHED_ROUTE, null);
        return hit;
      }
    }
    return fetch(req, env, executionCtx);
  };
}

/** "http://host:8000/a/b?x=1" → "/a/b?x=1" without parsing a URL (hot path). */
function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}
