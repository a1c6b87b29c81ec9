/**
 * Step 6: what every request looks like from outside — cached pages, static files and 404s included — for
 * an app that wants metrics or an access log. The observer wraps the whole answer (so it can run it inside
 * an async context of its own) and learns afterwards which route answered: the route's pattern, never the
 * raw path, so ids in URLs never become metric labels.
 */
import type { Hono } from "hono";
import type { CachedAnswer, ExtraHeader, PageCache } from "../page_cache.ts";
import type { CachedPageLookup } from "./cached_pages.ts";

/** Which route answered a request, and its state when a route chain ran. */
export interface MatchedRoute<State> {
  /** The route pattern (`/api/accounts/:id`), or `(static)` or `(none)` (the 404 page). */
  route: string;
  state: State | null;
}

/**
 * What an app's observer does around each request (metrics, access log, trace context).
 *
 * `request` wraps every request the app routes (static files and 404s included): it calls `handle()` (at most
 * once) and returns the response to send; after `handle` resolves, `matched()` says which route answered.
 *
 * `cachedHit` answers a page from the cache, before any routing, synchronously: the hot path of every public
 * page, so nothing in it waits for a promise or builds a response twice. `answer(extraHeaders)` gives the
 * stored page's response with the observer's own headers (a request id, say) already in it.
 *
 * For both, `remoteAddr` is the peer's address, if known.
 */
export interface RequestObserver<State> {
  request(
    req: Request,
    handle: () => Promise<Response>,
    matched: () => MatchedRoute<State>,
    remoteAddr: string | undefined,
  ): Promise<Response>;
  cachedHit(
    req: Request,
    answer: (extraHeaders: readonly ExtraHeader[]) => CachedAnswer,
    remoteAddr: string | undefined,
  ): Response;
}

/** The route label of a page answered from the cache (its route never ran). */
export const CACHED_ROUTE = "(cached)";
export const STATIC_ROUTE = "(static)";
export const NO_ROUTE = "(none)";

/**
 * Records which route answered which request (the pipeline and the page cache write, the observer takes).
 * A mark is forgotten once taken: the request lives as long as its response (an event stream's for hours),
 * and a mark left in the map would keep the request's whole middleware state alive with it.
 */
export class RouteMarks<State> {
  readonly #seen = new WeakMap<Request, MatchedRoute<State>>();

  mark(req: Request, route: string, state: State | null): void {
    this.#seen.set(req, { route, state });
  }

  /**
   * The mark of `req`, removed from the map. Unmarked requests were answered by the static-file step, the
   * only one that does not mark.
   */
  take(req: Request): MatchedRoute<State> {
    const seen = this.#seen.get(req);
    this.#seen.delete(req);
    return seen ?? { route: STATIC_ROUTE, state: null };
  }
}

/**
 * `fetch` with every request passed through `observer`: pages `lookup` finds in `pageCache` are answered by
 * `observer.cachedHit` without reaching `fetch`, the rest by `fetch` inside `observer.request`.
 */
export function observedFetch<State>(
  fetch: Hono["fetch"],
  observer: RequestObserver<State>,
  marks: RouteMarks<State>,
  cache: { pageCache: PageCache; lookup: CachedPageLookup },
): Hono["fetch"] {
  const { pageCache, lookup } = cache;
  return (req, env, executionCtx) => {
    const info = env as { remoteAddr?: { hostname: string } } | undefined;
    const page = lookup(req);
    if (page) {
      return observer.cachedHit(
        req,
        (extra) => pageCache.respond(page, req, extra),
        info?.remoteAddr?.hostname,
      );
    }
    let seen: MatchedRoute<State> | undefined;
    return observer.request(
      req,
      () => Promise.resolve(fetch(req, env, executionCtx)),
      () => seen ??= marks.take(req),
      info?.remoteAddr?.hostname,
    );
  };
}
