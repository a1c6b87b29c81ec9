/**
 * Step 6: what every request looks like from outside — cached pages, static files and 404s included — for
 * an app that wants metrics or an access log. The observer wraps the whole answer (so it can run it inside
 * an async context of its own) and learns afterwards which route answered: the route's pattern, never the
 * raw path, so ids in URLs never become metric labels.
 */
import type { Hono } from "hono";

/** Which route answered a request, and its state when a route chain ran. */
export interface MatchedRoute<State> {
  /** The route pattern (`/api/accounts/:id`), or `(cached)`, `(static)` or `(none)` (the 404 page). */
  route: string;
  state: State | null;
  /** The body's length when known before it is sent (a cached page): no need to count it as it streams. */
  bytes?: number;
}

/**
 * Wraps each request's handling: calls `handle()` (at most once) and returns the response to send; after
 * `handle` resolves, `matched()` says which route answered. `remoteAddr` is the peer's address, if known;
 * `sent`, when the server offers it (Deno.serve's `completed`), settles once the response has been sent
 * whole (rejects if the client went away first).
 */
export type RequestObserver<State> = (
  req: Request,
  handle: () => Promise<Response>,
  matched: () => MatchedRoute<State>,
  remoteAddr: string | undefined,
  sent: (() => Promise<void>) | undefined,
) => Promise<Response>;

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

  mark(req: Request, route: string, state: State | null, bytes?: number): void {
    this.#seen.set(req, bytes === undefined ? { route, state } : { route, state, bytes });
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

/** `fetch` with every request passed through `observer`. */
export function observedFetch<State>(
  fetch: Hono["fetch"],
  observer: RequestObserver<State>,
  marks: RouteMarks<State>,
): Hono["fetch"] {
  return (req, env, executionCtx) => {
    let seen: MatchedRoute<State> | undefined;
    const info = env as { remoteAddr?: { hostname: string }; completed?: Promise<void> } | undefined;
    return observer(
      req,
      () => Promise.resolve(fetch(req, env, executionCtx)),
      () => seen ??= marks.take(req),
      info?.remoteAddr?.hostname,
      // Read only when asked: the promise rejects when a client goes away, and is then handled.
      info && "completed" in info ? () => info.completed! : undefined,
    );
  };
}
