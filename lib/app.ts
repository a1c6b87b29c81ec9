import { type Context as HonoContext, Hono } from "hono";
import type { ComponentType } from "preact";
import { join, toFileUrl } from "./fs.ts";
import { scanRoutes } from "./fs_routes.ts";
import { discoverIslands, IslandRegistry } from "./islands.ts";
import { registerIslands, renderPage } from "./render.ts";
import { StaticFiles } from "./static_files.ts";
import { PageCache } from "./page_cache.ts";
import { pageCsp, withSecurityHeaders } from "./security_headers.ts";
import { randomToken } from "./crypto.ts";
import { HttpError } from "./errors.ts";
import { admitBody, DEFAULT_BODY_LIMIT, routeBodyLimit } from "./body.ts";
import { BUILD_URL_PREFIX, type BuildManifest } from "./build_manifest.ts";
import type {
  Context,
  HandlerFn,
  Method,
  Middleware,
  PageProps,
  PageResponse,
  RouteConfig,
  RouteHandler,
  RouteInfo,
} from "./define.ts";

export interface FreshAppOptions<State> {
  /** Absolute project directory. */
  root: string;
  routesDir?: string;
  islandDirs?: string[];
  staticDir?: string;
  buildDir?: string;
  manifest: BuildManifest;
  /** A fresh `State` for each request, before any middleware runs. */
  initialState: () => State;
  /** Development: live reload script, no HSTS, readable errors in the log. */
  dev?: boolean;
  hsts?: boolean;
  /** Mounts routes that are not files (health checks, signed object downloads) before the file routes. */
  configure?: (app: Hono) => void;
  /** Which requests get JSON errors instead of error pages; default: paths under `/api/`. */
  isApiRequest?: (url: URL, req: Request) => boolean;
  /**
   * Requests that must never be served from, or stored into, the page cache because their page may differ
   * for this visitor (e.g. they carry a session cookie and see their name in the header).
   */
  isPersonal?: (req: Request) => boolean;
  /** Where unexpected errors are reported (default console.error). */
  onError?: (error: unknown, req: Request) => void;
}

export type FreshApp = Hono & {
  pageCache: PageCache;
  buildId: string;
  /** Every mounted file route, most specific first (for route-table tests and API descriptions). */
  fileRoutes: RouteInfo[];
};

type PageComponent<State> = ComponentType<PageProps<unknown, State>>;

interface LoadedRoute<State> {
  pattern: string;
  handler: RouteHandler<unknown, State> | undefined;
  page: PageComponent<State> | undefined;
  config: RouteConfig;
  layouts: PageComponent<State>[];
  middlewares: Middleware<State>[];
}

const METHODS: Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * Assembles a Hono app from a Fresh-style project: file routes with their middleware and layouts, islands,
 * static files and build outputs, security headers, the page cache, and one error path.
 */
export async function createFreshApp<State>(opts: FreshAppOptions<State>): Promise<FreshApp> {
  const routesDir = join(opts.root, opts.routesDir ?? "routes");
  const buildDir = join(opts.root, opts.buildDir ?? "_fresh");
  const isApi = opts.isApiRequest ?? ((url: URL) => url.pathname.startsWith("/api/"));
  const report = opts.onError ?? ((error: unknown) => console.error(error));
  const security = { hsts: opts.hsts ?? !opts.dev };
  const isPersonal = opts.isPersonal ?? (() => false);
  const buildId = opts.manifest.inputHash.slice(0, 12) || randomToken(6);

  const islands = await discoverIslands(
    opts.root,
    opts.islandDirs ?? ["islands"],
    opts.routesDir ?? "routes",
  );
  registerIslands(await IslandRegistry.load(islands));

  const tree = await scanRoutes(routesDir);
  const load = async (file: string | null | undefined) =>
    file ? await import(toFileUrl(file).href) : undefined;
  const appModule = await load(tree.app);
  const App: PageComponent<State> | null = appModule?.default ?? null;
  const layoutsByDir = new Map<string, PageComponent<State>>();
  for (const [dir, file] of tree.layouts) layoutsByDir.set(dir, (await load(file)).default);
  const middlewaresByDir = new Map<string, Middleware<State>[]>();
  for (const [dir, file] of tree.middlewares) {
    const mod = await load(file);
    const mw = mod.default ?? mod.handler;
    middlewaresByDir.set(dir, Array.isArray(mw) ? mw : [mw]);
  }
  const notFoundPage: PageComponent<State> | undefined = (await load(tree.notFound))?.default;
  const errorPage: PageComponent<State> | undefined = (await load(tree.error))?.default;
  const rootLayouts = layoutsByDir.has("") ? [layoutsByDir.get("")!] : [];
  const rootMiddlewares = middlewaresByDir.get("") ?? [];

  const staticFiles = await StaticFiles.load([
    {
      dir: join(opts.root, opts.staticDir ?? "static"),
      prefix: "/",
      immutable: false,
      exclude: ["styles.css"],
    },
    { dir: join(buildDir, "static"), prefix: BUILD_URL_PREFIX, immutable: true },
  ]);
  const pageCache = new PageCache();
  const devScript = opts.dev ? liveReloadScript(buildId) : undefined;

  function render(
    ctx: Context<State>,
    page: PageComponent<State>,
    layouts: PageComponent<State>[],
    data: unknown,
    init: { status?: number; headers?: HeadersInit; error?: unknown; skipApp?: boolean } = {},
  ): Response {
    const status = init.status ?? 200;
    const out = renderPage<State>({
      app: init.skipApp ? null : App,
      layouts,
      page,
      props: { data, url: ctx.url, params: ctx.params, state: ctx.state, status, error: init.error },
      manifest: opts.manifest,
      nonce: () => randomToken(16),
      devScript,
    });
    const headers = new Headers(init.headers);
    headers.set("content-type", "text/html; charset=utf-8");
    headers.set("content-security-policy", pageCsp(out.nonce));
    if (out.preload.length) {
      headers.set(
        "link",
        out.preload.map((u) => `<${u}>; rel=modulepreload`).join(", "),
      );
    }
    return new Response(out.html, { status, headers });
  }

  /** One error path: HttpErrors keep their status; anything else is a logged 500 that reveals nothing. */
  function renderError(ctx: Context<State>, error: unknown): Response {
    const known = error instanceof HttpError ? error : null;
    if (!known) report(error, ctx.req);
    const status = known?.status ?? 500;
    const headers = new Headers(known?.headers);
    if (isApi(ctx.url, ctx.req) || !(status === 404 ? notFoundPage ?? errorPage : errorPage)) {
      const body = known?.toJSON() ??
        { error: { code: "internal", message: "Something went wrong on our side." } };
      headers.set("content-type", "application/json");
      return new Response(JSON.stringify(body), { status, headers });
    }
    try {
      const page = status === 404 ? (notFoundPage ?? errorPage)! : errorPage!;
      return render(ctx, page, rootLayouts, undefined, { status, headers, error });
    } catch (renderFailure) {
      report(renderFailure, ctx.req);
      return new Response("Internal Server Error", {
        status: 500,
        headers: { "content-type": "text/plain" },
      });
    }
  }

  type RenderSelf = (
    ctx: Context<State>,
    data: unknown,
    init?: { status?: number; headers?: HeadersInit },
  ) => Response;

  function makeContext(
    c: HonoContext,
    chain: Middleware<State>[],
    renderSelf: RenderSelf,
    route: RouteInfo | null,
  ) {
    let index = 0;
    const ctx: Context<State> = {
      req: c.req.raw,
      url: new URL(c.req.url),
      params: c.req.param() as Record<string, string>,
      state: opts.initialState(),
      remoteAddr: (c.env as { remoteAddr?: { hostname: string } } | undefined)?.remoteAddr?.hostname,
      hono: c,
      route,
      routes: app.fileRoutes,
      stylesheets: opts.manifest.styles,
      next: async () => {
        const step = chain[index++];
        if (!step) throw new Error("ctx.next() called past the end of the chain");
        return await step(ctx);
      },
      render: (data, init) => Promise.resolve(renderSelf(ctx, data, init)),
    };
    return ctx;
  }

  /** Runs a middleware chain; whatever it throws goes through the one error path. */
  async function run(
    c: HonoContext,
    chain: Middleware<State>[],
    renderSelf: RenderSelf,
    route: RouteInfo | null = null,
  ) {
    const ctx = makeContext(c, chain, renderSelf, route);
    let res: Response;
    try {
      // Before any middleware: a body declared larger than the route takes is refused unread, before
      // authentication or rate-limit work is spent on it (lib/body.ts).
      admitBody(ctx.req, route ? routeBodyLimit(route.module, ctx.req.method) : DEFAULT_BODY_LIMIT);
      res = await ctx.next();
    } catch (error) {
      res = renderError(ctx, error);
    }
    return withSecurityHeaders(res, security);
  }

  const app = new Hono() as FreshApp;
  app.pageCache = pageCache;
  app.buildId = buildId;
  app.fileRoutes = [];

  app.use("*", async (c, next) => {
    const res = staticFiles.serve(c.req.raw, c.req.path);
    if (res) return withSecurityHeaders(res, security);
    await next();
  });
  if (devScript) {
    app.get(`${BUILD_URL_PREFIX}alive`, () => liveReloadStream(buildId));
  }
  opts.configure?.(app);

  for (const file of tree.routes) {
    const mod = await load(file.file);
    const route: LoadedRoute<State> = {
      pattern: file.pattern,
      handler: mod.handler,
      page: mod.default,
      config: mod.config ?? {},
      layouts: routeLayouts(file.dirs, mod.config ?? {}),
      middlewares: file.dirs.flatMap((dir) => middlewaresByDir.get(dir) ?? []),
    };
    const renderSelf: RenderSelf = (ctx, data, init) => {
      if (!route.page) throw new Error(`${route.pattern} has no page component`);
      return render(ctx, route.page, route.layouts, data, { ...init, skipApp: route.config.skipAppWrapper });
    };
    const info: RouteInfo = {
      pattern: file.pattern,
      methods: METHODS.filter((m) => pickHandler(route, m)),
      module: mod,
    };
    app.fileRoutes.push(info);
    app.all(
      file.pattern,
      (c) => run(c, [...route.middlewares, (ctx) => dispatch(ctx, route)], renderSelf, info),
    );
  }

  function routeLayouts(dirs: string[], config: RouteConfig): PageComponent<State>[] {
    const chosen = config.skipInheritedLayouts ? dirs.slice(-1) : dirs;
    return chosen.flatMap((dir) => layoutsByDir.has(dir) ? [layoutsByDir.get(dir)!] : []);
  }

  async function dispatch(ctx: Context<State>, route: LoadedRoute<State>): Promise<Response> {
    const method = ctx.req.method as Method;
    const fn = pickHandler(route, method);
    if (!fn) {
      const allowed = METHODS.filter((m) => pickHandler(route, m));
      return new Response(
        JSON.stringify({ error: { code: "method_not_allowed", message: `${method} is not allowed here.` } }),
        {
          status: 405,
          headers: { allow: allowed.join(", "), "content-type": "application/json" },
        },
      );
    }

    const cacheable = route.config.cache && (method === "GET" || method === "HEAD") && !isPersonal(ctx.req);
    const key = pathAndQuery(ctx.req.url);
    // Hits were answered in app.fetch, before routing; reaching here with a cacheable route is a miss.
    const result = await fn(ctx);
    const res = isPageResponse(result)
      ? await ctx.render(result.data, { status: result.status, headers: result.headers })
      : result;

    // Only island-free pages (CSP without a nonce) are identical for every visitor.
    if (cacheable && res.status === 200 && !res.headers.get("content-security-policy")?.includes("nonce-")) {
      res.headers.set("cache-control", "public, max-age=0, must-revalidate");
      return await pageCache.store(key, route.config.cache!.tags, withSecurityHeaders(res, security));
    }
    return res;
  }

  function pickHandler(route: LoadedRoute<State>, method: Method): HandlerFn<unknown, State> | undefined {
    const h = route.handler;
    if (typeof h === "function") return h;
    if (h) return h[method] ?? (method === "HEAD" ? h.GET : undefined);
    if (route.page && (method === "GET" || method === "HEAD")) return (ctx) => ctx.render(undefined);
    return undefined;
  }

  // Cached pages are identical for every visitor by construction, so they are answered before routing and
  // middleware, like a CDN in front of the app would: this is what makes public pages cost ~a hello world.
  const routeFetch = app.fetch;
  app.fetch = (req, env, executionCtx) => {
    if ((req.method === "GET" || req.method === "HEAD") && pageCache.size > 0 && !isPersonal(req)) {
      const hit = pageCache.match(pathAndQuery(req.url), req);
      if (hit) return hit;
    }
    return routeFetch(req, env, executionCtx);
  };

  const notFound: Middleware<State> = (ctx) =>
    Promise.resolve(renderError(ctx, new HttpError(404, "not_found", "Not found.")));
  app.notFound((c) =>
    run(
      c,
      [...rootMiddlewares, notFound],
      (ctx, data, init) =>
        render(ctx, notFoundPage ?? errorPage!, rootLayouts, data, { ...init, status: 404 }),
    )
  );

  return app;
}

/** "http://host:8000/a/b?x=1" → "/a/b?x=1" without parsing a URL (hot path). */
function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}

function isPageResponse(value: unknown): value is PageResponse<unknown> {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "page" &&
    !(value instanceof Response);
}

/** Reloads the page once the dev server has restarted with a new build. */
function liveReloadScript(buildId: string): string {
  return `const es=new EventSource("${BUILD_URL_PREFIX}alive");` +
    `es.onmessage=(e)=>{if(e.data!==${JSON.stringify(buildId)})location.reload()};`;
}

function liveReloadStream(buildId: string): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const enc = new TextEncoder();
      controller.enqueue(enc.encode(`retry: 500\ndata: ${buildId}\n\n`));
      timer = setInterval(() => controller.enqueue(enc.encode(": ping\n\n")), 15_000);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
  });
}
