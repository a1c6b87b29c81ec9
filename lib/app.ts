/**
 * Assembles a Hono app from a Fresh-style project, in the order Fresh does it: islands, the route tree,
 * the renderers, then what answers a request — static files and cached pages first, the file routes each
 * behind their middleware chain, and the 404. Each step lives in lib/app/.
 */
import { Hono } from "hono";
import { join } from "./fs.ts";
import { discoverIslands, IslandRegistry } from "./islands.ts";
import { registerIslands } from "./render.ts";
import { PageCache } from "./page_cache.ts";
import { randomToken } from "./crypto.ts";
import type { BuildManifest } from "./build_manifest.ts";
import type { RouteInfo } from "./define.ts";
import { loadRoutes } from "./app/route_tree.ts";
import type { HttpError } from "./errors.ts";
import { errorRenderer, notFoundPage, pageRenderer, routePage } from "./app/responses.ts";
import { notFound, requestPipeline } from "./app/pipeline.ts";
import { dispatch } from "./app/dispatch.ts";
import { answerCachedFirst, cachedPageLookup, pageCacheStore } from "./app/cached_pages.ts";
import { staticFiles } from "./app/static_assets.ts";
import { observedFetch, type RequestObserver, RouteMarks } from "./app/observe.ts";
import { LIVE_RELOAD_PATH, liveReloadScript, liveReloadStream } from "./app/live_reload.ts";

export interface FreshAppOptions<State> {
  /** Absolute project directory: `routes/`, `static/` and the build's `_fresh/` are found below it. */
  root: string;
  /** Relative to `root`; default "routes". Islands may also sit in `(_islands)` folders below it. */
  routesDir?: string;
  /** Relative to `root`; default ["islands"]. */
  islandDirs?: string[];
  manifest: BuildManifest;
  /** A fresh `State` for each request, before any middleware runs. */
  initialState: () => State;
  /** Development: live reload script, and no HSTS unless `hsts` says so. */
  dev?: boolean;
  /** Send Strict-Transport-Security; default: outside development. */
  hsts?: boolean;
  /**
   * Requests that must never be served from, or stored into, the page cache because their page may differ
   * for this visitor (e.g. they carry a session cookie and see their name in the header).
   */
  isPersonal?: (req: Request) => boolean;
  /**
   * The same once the middleware has run: a request whose state names a visitor (signed in by a bearer
   * token, say) is never stored into the page cache, whatever its headers looked like.
   */
  isPersonalState?: (state: State) => boolean;
  /** Where unexpected errors are reported (default console.error). */
  onError?: (error: unknown, req: Request) => void;
  /**
   * Turns an error that is not a bug into the HTTP error it means (e.g. a database that cannot be reached →
   * 503): answered like a thrown HttpError and not reported. `null`: a bug, a 500.
   */
  knownError?: (error: unknown) => HttpError | null;
  /**
   * Sees every request, cached pages and static files included, and which route pattern answered it
   * (metrics, access log, trace context; lib/app/observe.ts). Without it requests pay nothing for this.
   */
  observe?: RequestObserver<State>;
}

export type FreshApp = Hono & {
  pageCache: PageCache;
  buildId: string;
  /** Every mounted file route, most specific first (for route-table tests and API descriptions). */
  fileRoutes: RouteInfo[];
};

/**
 * Builds the app: file routes with their middleware and layouts, islands, static files and build outputs,
 * security headers, the page cache, and one error path.
 */
export async function createFreshApp<State>(opts: FreshAppOptions<State>): Promise<FreshApp> {
  const routesDir = opts.routesDir ?? "routes";
  const security = { hsts: opts.hsts ?? !opts.dev };
  const isPersonal = opts.isPersonal ?? (() => false);
  const report = opts.onError ?? ((error: unknown) => console.error(error));
  const buildId = opts.manifest.inputHash.slice(0, 12) || randomToken(6);
  const devScript = opts.dev ? liveReloadScript(buildId) : undefined;

  // Islands are registered before any route module renders, so SSR can mark them wherever they appear.
  registerIslands(
    await IslandRegistry.load(await discoverIslands(opts.root, opts.islandDirs ?? ["islands"], routesDir)),
  );
  const tree = await loadRoutes<State>(join(opts.root, routesDir));

  const pageCache = new PageCache();
  const cache = pageCacheStore<State>({
    pageCache,
    isPersonal,
    isPersonalState: opts.isPersonalState ?? (() => false),
    security,
  });
  const render = pageRenderer<State>({
    app: tree.app,
    manifest: opts.manifest,
    devScript,
    sharedRender: cache.rendersShared,
  });
  const renderError = errorRenderer<State>({ routes: tree, render, report, knownError: opts.knownError });

  const marks = opts.observe ? new RouteMarks<State>() : undefined;
  const app = new Hono() as FreshApp;
  app.pageCache = pageCache;
  app.buildId = buildId;
  app.fileRoutes = tree.routes.map((route) => route.info);
  const run = requestPipeline<State>({
    initialState: opts.initialState,
    routes: app.fileRoutes,
    stylesheets: opts.manifest.styles,
    renderError,
    security,
    marks,
  });

  app.use("*", await staticFiles(opts.root, security));
  if (devScript) app.get(LIVE_RELOAD_PATH, () => liveReloadStream(buildId));
  for (const route of tree.routes) {
    const chain = [...route.middlewares, dispatch(route, cache)];
    const renderSelf = routePage(route, render);
    app.all(route.info.pattern, (c) => run(c, chain, renderSelf, route.info));
  }
  // Unknown paths still run the root middleware (the header shows who is signed in) before the 404 page.
  const notFoundChain = [...tree.rootMiddlewares, notFound(renderError)];
  const render404 = notFoundPage(tree, render);
  app.notFound((c) => run(c, notFoundChain, render404, null));
  const lookup = cachedPageLookup({ pageCache, isPersonal });
  app.fetch = opts.observe && marks
    ? observedFetch(app.fetch, opts.observe, marks, { pageCache, lookup })
    : answerCachedFirst(app.fetch, { pageCache, lookup });
  return app;
}
