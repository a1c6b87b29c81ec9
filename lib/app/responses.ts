/**
 * Step 2: how a page becomes a Response, and the one error path every failure goes through.
 */
import { randomToken } from "../crypto.ts";
import { HttpError } from "../errors.ts";
import { renderPage } from "../render.ts";
import { pageCsp } from "../security_headers.ts";
import type { BuildManifest } from "../build_manifest.ts";
import type { Context } from "../define.ts";
import type { LoadedRoute, LoadedRoutes, PageComponent } from "./route_tree.ts";

interface RenderInit {
  status?: number;
  headers?: HeadersInit;
  /** Handed to `_error` pages as the `error` prop. */
  error?: unknown;
  /** Render without `_app` (a route's `config.skipAppWrapper`). */
  skipApp?: boolean;
}

/** Renders `page` inside `layouts` (and `_app`) into a complete HTML response with its own CSP. */
type RenderPage<State> = (
  ctx: Context<State>,
  page: PageComponent<State>,
  layouts: PageComponent<State>[],
  data: unknown,
  init?: RenderInit,
) => Response;

/** What `ctx.render(data, init)` does on one chain: renders the route's own page (or the 404 page). */
export type RenderSelf<State> = (
  ctx: Context<State>,
  data: unknown,
  init?: { status?: number; headers?: HeadersInit },
) => Response;

/** Any thrown value → the response the visitor gets. */
export type RenderError<State> = (ctx: Context<State>, error: unknown) => Response;

/**
 * The page renderer of an app. Each response gets a fresh script nonce, and its CSP allows exactly that
 * nonce (or no script at all when the page has no islands: lib/security_headers.ts). A page about to be
 * cached for everyone (`sharedRender`) gets no nonce: its CSP lists the hashes of its inline scripts.
 */
export function pageRenderer<State>(opts: {
  app: PageComponent<State> | null;
  manifest: BuildManifest;
  /** Development only: the live reload script appended to every page. */
  devScript: string | undefined;
  /** Whether `ctx`'s page will be stored in the page cache (lib/app/cached_pages.ts). */
  sharedRender?: (ctx: Context<State>) => boolean;
}): RenderPage<State> {
  return (ctx, page, layouts, data, init = {}) => {
    const status = init.status ?? 200;
    const out = renderPage<State>({
      app: init.skipApp ? null : opts.app,
      layouts,
      page,
      props: { data, url: ctx.url, params: ctx.params, state: ctx.state, status, error: init.error },
      manifest: opts.manifest,
      nonce: opts.sharedRender?.(ctx) ? null : () => randomToken(16),
      devScript: opts.devScript,
    });
    const headers = new Headers(init.headers);
    headers.set("content-type", "text/html; charset=utf-8");
    headers.set(
      "content-security-policy",
      pageCsp(out.nonce ? { nonce: out.nonce } : out.hashes.length ? { hashes: out.hashes } : null),
    );
    if (out.preload.length) {
      headers.set("link", out.preload.map((u) => `<${u}>; rel=modulepreload`).join(", "));
    }
    return new Response(out.html, { status, headers });
  };
}

/** `ctx.render` of a file route: its page inside its layouts (and `_app` unless the route skips it). */
export function routePage<State>(route: LoadedRoute<State>, render: RenderPage<State>): RenderSelf<State> {
  return (ctx, data, init) => {
    if (!route.page) throw new Error(`${route.info.pattern} has no page component`);
    return render(ctx, route.page, route.layouts, data, { ...init, skipApp: route.config.skipAppWrapper });
  };
}

/** `ctx.render` while answering a 404: `_404` (or `_error`) inside the root layout. */
export function notFoundPage<State>(
  routes: Pick<LoadedRoutes<State>, "notFoundPage" | "errorPage" | "rootLayouts">,
  render: RenderPage<State>,
): RenderSelf<State> {
  return (ctx, data, init) =>
    render(ctx, routes.notFoundPage ?? routes.errorPage!, routes.rootLayouts, data, { ...init, status: 404 });
}

/**
 * One error path: HttpErrors keep their status (and headers, e.g. Retry-After), as do errors `knownError`
 * recognises (an outage of a service the app depends on); anything else is a 500 that reveals nothing and is
 * reported. API paths and apps without an error page get the JSON error shape;
 * pages get `_404`/`_error` inside the root layout. An error page that fails itself ends in plain text.
 */
export function errorRenderer<State>(opts: {
  routes: Pick<LoadedRoutes<State>, "notFoundPage" | "errorPage" | "rootLayouts">;
  render: RenderPage<State>;
  report: (error: unknown, req: Request) => void;
  knownError?: (error: unknown) => HttpError | null;
}): RenderError<State> {
  const { notFoundPage, errorPage, rootLayouts } = opts.routes;
  return (ctx, error) => {
    const known = error instanceof HttpError ? error : opts.knownError?.(error) ?? null;
    if (!known) opts.report(error, ctx.req);
    const status = known?.status ?? 500;
    const headers = new Headers(known?.headers);
    const page = status === 404 ? notFoundPage ?? errorPage : errorPage;
    if (isApiRequest(ctx.url) || !page) {
      const body = known?.toJSON() ??
        { error: { code: "internal", message: "Something went wrong on our side." } };
      headers.set("content-type", "application/json");
      return new Response(JSON.stringify(body), { status, headers });
    }
    try {
      return opts.render(ctx, page, rootLayouts, undefined, { status, headers, error });
    } catch (renderFailure) {
      opts.report(renderFailure, ctx.req);
      return new Response("Internal Server Error", {
        status: 500,
        headers: { "content-type": "text/plain" },
      });
    }
  };
}

/** API clients parse JSON, so they get JSON errors even where a page would be rendered. */
function isApiRequest(url: URL): boolean {
  return url.pathname.startsWith("/api/");
}
