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
}

/**
 * Wraps each request's handling: calls `handle()` (at most once) and returns the response to send; after
 * `handle` resolves, `matched()` says which route answered. `remoteAddr` is the peer's address, if known.
 */
export type RequestObserver<State> = (
  req: Request,
  handle: () => Promise<Response>,
  matched: () => MatchedRoute<State>,
  remoteAddr: string | undefined,
) => Promise<Response>;

export const CACHED_ROUTE = "(cached)";
export const STATIC_ROUTE = "(static)";
export const NO_ROUTE = "(none)";

/** Records which route answered which request (the pipeline and the page cache write, the observer reads). */
export class RouteMarks<State> {
  readonly #seen = new WeakMap<Request, MatchedRoute<State>>();

  mark(req: Request, route: string, state: State | null): void {
    this.#seen.set(req, { route, state });
  }

  /** Unmarked requests were answered by the static-file step, the only one that does not mark. */
  of(req: Request): MatchedRoute<State> {
    return this.#seen.get(req) ?? { route: STATIC_ROUTE, state: null };
  }
}

/** `fetch` with every request passed through `observer`. */
export function observedFetch<State>(
  fetch: Hono["fetch"],
  observer: RequestObserver<State>,
  marks: RouteMarks<State>,
): Hono["fetch"] {
  return (req, env, executionCtx) =>
    observer(
      req,
      () => Promise.resolve(fetch(req, env, executionCtx)),
      () => marks.of(req),
      (env as { remoteAddr?: { hostname: string } } | undefined)?.remoteAddr?.hostname,
    );
}
