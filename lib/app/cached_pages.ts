/**
 * Step 5: the page cache's two ends. Pages identical for every visitor are stored after their first render
 * and answered from then on before routing and middleware, as a CDN in front of the app would: this is what
 * makes public pages cost about as much as a hello world.
 *
 * A page with islands is cached too: when a request's page is going to be stored, it is rendered in hash
 * mode (lib/render.ts) — its boot script carries no nonce and its CSP allows that script by the SHA-256 of
 * its text, computed once in that render — so the stored bytes are right for every visitor.
 */
import type { Hono } from "hono";
import type { Context } from "../define.ts";
import type { CachedPage, PageCache } from "../page_cache.ts";
import { type SecurityOptions, withSecurityHeaders } from "../security_headers.ts";

/** A route's `config.cache`. */
type CacheConfig = { tags: string[]; maxAgeSeconds?: number };

/** What a cacheable route's dispatch does around its handler. */
export interface CachePages<State> {
  /**
   * Before the handler of a cacheable route: whether the page may be stored (a shared request: GET or HEAD,
   * not personal by its headers nor by the state the middleware built). If so the page renders in hash mode.
   */
  begin(ctx: Context<State>): boolean;
  /** Whether `ctx`'s page is being rendered to be stored (the renderer asks, to pick hash mode). */
  rendersShared(ctx: Context<State>): boolean;
  /**
   * Stores `res` under the request's path and query when it is the same for every visitor, and returns the
   * response to send (the stored copy's, or `res` unchanged).
   */
  storeIfShared(ctx: Context<State>, cache: CacheConfig, res: Response): Promise<Response>;
}

/** The store end, for routes that declare `config.cache`. */
export function pageCacheStore<State>(opts: {
  pageCache: PageCache;
  isPersonal: (req: Request) => boolean;
  isPersonalState: (state: State) => boolean;
  security: SecurityOptions;
}): CachePages<State> {
  const shared = new WeakSet<Context<State>>();
  const isShared = (ctx: Context<State>) =>
    (ctx.req.method === "GET" || ctx.req.method === "HEAD") && !opts.isPersonal(ctx.req) &&
    !opts.isPersonalState(ctx.state);
  return {
    begin(ctx) {
      if (!isShared(ctx)) return false;
      shared.add(ctx);
      return true;
    },
    rendersShared: (ctx) => shared.has(ctx),
    async storeIfShared(ctx, { tags, maxAgeSeconds }, res) {
      // Checked again after the handler: it may have changed the state, or answered with a response of its
      // own that is marked for one visitor (a cookie, `private`, a nonce only this response knows).
      if (!shared.has(ctx) || !isShared(ctx) || !storable(res)) return res;
      res.headers.set("cache-control", "public, max-age=0, must-revalidate");
      return await opts.pageCache.store(
        pathAndQuery(ctx.req.url),
        tags,
        withSecurityHeaders(res, opts.security),
        maxAgeSeconds,
      );
    },
  };
}

/** A 200 that says nothing about one visitor: no cookie, not private, no per-response nonce. */
function storable(res: Response): boolean {
  if (res.status !== 200 || res.headers.has("set-cookie")) return false;
  if (/\b(private|no-store)\b/.test(res.headers.get("cache-control") ?? "")) return false;
  return !res.headers.get("content-security-policy")?.includes("'nonce-");
}

/**
 * The answer end's first half: the stored page for `req`, or null when it has none or must not get one (not
 * GET or HEAD, or personal by its headers: a session cookie or bearer token always reaches the app).
 */
export type CachedPageLookup = (req: Request) => CachedPage | null;

export function cachedPageLookup(
  opts: { pageCache: PageCache; isPersonal: (req: Request) => boolean },
): CachedPageLookup {
  const { pageCache, isPersonal } = opts;
  return (req) => {
    // Cheapest tests first: most requests that are not for a stored page stop at the method or the size.
    if (pageCache.size === 0 || (req.method !== "GET" && req.method !== "HEAD") || isPersonal(req)) {
      return null;
    }
    return pageCache.lookup(pathAndQuery(req.url));
  };
}

/**
 * The answer end, for an app nobody observes: wraps `fetch` so a hit never reaches the router, middleware or
 * the request context. (An observed app answers hits in lib/app/observe.ts, with its own headers.)
 */
export function answerCachedFirst(
  fetch: Hono["fetch"],
  opts: { pageCache: PageCache; lookup: CachedPageLookup },
): Hono["fetch"] {
  const { pageCache, lookup } = opts;
  return (req, env, executionCtx) => {
    const page = lookup(req);
    return page ? pageCache.respond(page, req).response : fetch(req, env, executionCtx);
  };
}

/** "http://host:8000/a/b?x=1" → "/a/b?x=1" without parsing a URL (hot path). */
function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}
