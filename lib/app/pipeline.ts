/**
 * Step 3: the request pipeline every matched route and the 404 run through: a fresh context, the body
 * limit, the middleware chain, the one error path, and the security headers on whatever comes out.
 */
import type { Context as HonoContext } from "hono";
import { admitBody, DEFAULT_BODY_LIMIT, routeBodyLimit } from "../body.ts";
import { HttpError } from "../errors.ts";
import { type SecurityOptions, withSecurityHeaders } from "../security_headers.ts";
import type { Context, Middleware, RouteInfo } from "../define.ts";
import type { RenderError, RenderSelf } from "./responses.ts";
import { NO_ROUTE, type RouteMarks } from "./observe.ts";

/** Runs one request through `chain`; `route` is null while answering a 404. */
type RunChain<State> = (
  c: HonoContext,
  chain: Middleware<State>[],
  renderSelf: RenderSelf<State>,
  route: RouteInfo | null,
) => Promise<Response>;

/** Builds the pipeline of an app from what every request shares. */
export function requestPipeline<State>(opts: {
  /** A fresh `State` for each request, before any middleware runs. */
  initialState: () => State;
  /** The app's route table, shared with `ctx.routes`. */
  routes: RouteInfo[];
  stylesheets: string[];
  renderError: RenderError<State>;
  security: SecurityOptions;
  /** Where the route that answered is recorded for a request observer (lib/app/observe.ts), if any. */
  marks?: RouteMarks<State>;
}): RunChain<State> {
  function makeContext(
    c: HonoContext,
    chain: Middleware<State>[],
    renderSelf: RenderSelf<State>,
    route: RouteInfo | null,
  ): Context<State> {
    let index = 0;
    const ctx: Context<State> = {
      req: c.req.raw,
      url: new URL(c.req.url),
      params: c.req.param() as Record<string, string>,
      state: opts.initialState(),
      remoteAddr: (c.env as { remoteAddr?: { hostname: string } } | undefined)?.remoteAddr?.hostname,
      route,
      routes: opts.routes,
      stylesheets: opts.stylesheets,
      next: async () => {
        const step = chain[index++];
        if (!step) throw new Error("ctx.next() called past the end of the chain");
        return await step(ctx);
      },
      render: (data, init) => Promise.resolve(renderSelf(ctx, data, init)),
    };
    return ctx;
  }

  return async (c, chain, renderSelf, route) => {
    const ctx = makeContext(c, chain, renderSelf, route);
    opts.marks?.mark(ctx.req, route?.pattern ?? NO_ROUTE, ctx.state);
    let res: Response;
    try {
      // Before any middleware: a body declared larger than the route takes is refused unread, before
      // authentication or rate-limit work is spent on it (lib/body.ts).
      admitBody(ctx.req, route ? routeBodyLimit(route.module, ctx.req.method) : DEFAULT_BODY_LIMIT);
      res = await ctx.next();
    } catch (error) {
      res = opts.renderError(ctx, error);
    }
    return withSecurityHeaders(res, opts.security);
  };
}

/** The last step of the 404 chain: after the root middleware ran (a signed-in header still shows), a 404. */
export const notFound = <State>(renderError: RenderError<State>): Middleware<State> => (ctx) =>
  Promise.resolve(renderError(ctx, new HttpError(404, "not_found", "Not found.")));
