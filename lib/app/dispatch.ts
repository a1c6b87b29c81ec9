/**
 * Step 4: the last link of a route's chain, after its middleware: pick the handler for the method, turn a
 * `page(...)` result into the rendered page, and keep it in the page cache when the route allows.
 */
import type { Context, Method, Middleware, PageResponse } from "../define.ts";
import { type CachePages } from "./cached_pages.ts";
import { handlerFor, type LoadedRoute } from "./route_tree.ts";

/** The route's own step: answers with its handler, or 405 with `Allow` for a method it does not answer. */
export function dispatch<State>(route: LoadedRoute<State>, cache: CachePages<State>): Middleware<State> {
  return async (ctx: Context<State>) => {
    const method = ctx.req.method as Method;
    const fn = handlerFor(route, method);
    if (!fn) return methodNotAllowed(method, route.info.methods);

    // Decided before the handler, so a page that will be stored renders with hashed scripts (no nonce).
    const cacheable = route.config.cache !== undefined && cache.begin(ctx);
    const result = await fn(ctx);
    const res = isPageResponse(result)
      ? await ctx.render(result.data, { status: result.status, headers: result.headers })
      : result;
    // Hits were answered before routing (cached_pages.ts); reaching here with a cacheable route is a miss.
    return cacheable ? await cache.storeIfShared(ctx, route.config.cache!, res) : res;
  };
}

function methodNotAllowed(method: Method, allowed: Method[]): Response {
  return new Response(
    JSON.stringify({ error: { code: "method_not_allowed", message: `${method} is not allowed here.` } }),
    { status: 405, headers: { allow: allowed.join(", "), "content-type": "application/json" } },
  );
}

function isPageResponse(value: unknown): value is PageResponse<unknown> {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "page" &&
    !(value instanceof Response);
}
