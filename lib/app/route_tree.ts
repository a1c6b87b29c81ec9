/**
 * Step 1 of assembling an app: import every module of the `routes/` tree and resolve, once at start-up,
 * what each route runs per request (its middleware chain, its layouts, its handler or page).
 */
import type { ComponentType } from "preact";
import { toFileUrl } from "../fs.ts";
import { scanRoutes } from "../fs_routes.ts";
import {
  checkDeclaredAccess,
  type HandlerFn,
  type Method,
  type Middleware,
  type PageProps,
  type RouteConfig,
  type RouteHandler,
  type RouteInfo,
} from "../define.ts";

export type PageComponent<State> = ComponentType<PageProps<unknown, State>>;

/** A file route with everything it needs to answer a request. */
export interface LoadedRoute<State> {
  /** What the route table and `ctx.route` show (pattern, methods, module exports). */
  info: RouteInfo;
  handler: RouteHandler<unknown, State> | undefined;
  page: PageComponent<State> | undefined;
  config: RouteConfig;
  /** Outermost first; `_app` is not among them. */
  layouts: PageComponent<State>[];
  /** Every `_middleware` from `routes/` down to the route's folder, outer to inner. */
  middlewares: Middleware<State>[];
}

/** The imported `routes/` tree. */
export interface LoadedRoutes<State> {
  app: PageComponent<State> | null;
  notFoundPage: PageComponent<State> | undefined;
  errorPage: PageComponent<State> | undefined;
  /** What error pages and the 404 are wrapped in and run behind: the tree's root layout and middleware. */
  rootLayouts: PageComponent<State>[];
  rootMiddlewares: Middleware<State>[];
  /** Most specific first, the order they must be mounted in. */
  routes: LoadedRoute<State>[];
}

const METHODS: Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Imports the `routes/` tree by Fresh's file conventions (see lib/fs_routes.ts). */
export async function loadRoutes<State>(routesDir: string): Promise<LoadedRoutes<State>> {
  const tree = await scanRoutes(routesDir);
  const app: PageComponent<State> | null = (await load(tree.app))?.default ?? null;
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

  const routes: LoadedRoute<State>[] = [];
  for (const file of tree.routes) {
    const mod = await load(file.file);
    checkDeclaredAccess(file.pattern, mod);
    const config: RouteConfig = mod.config ?? {};
    // `skipInheritedLayouts` keeps only the layout of the route's own folder.
    const layoutDirs = config.skipInheritedLayouts ? file.dirs.slice(-1) : file.dirs;
    const route: LoadedRoute<State> = {
      info: { pattern: file.pattern, methods: [], module: mod },
      handler: mod.handler,
      page: mod.default,
      config,
      layouts: layoutDirs.flatMap((dir) => layoutsByDir.has(dir) ? [layoutsByDir.get(dir)!] : []),
      middlewares: file.dirs.flatMap((dir) => middlewaresByDir.get(dir) ?? []),
    };
    route.info.methods = METHODS.filter((m) => handlerFor(route, m));
    routes.push(route);
  }

  return {
    app,
    notFoundPage,
    errorPage,
    rootLayouts: layoutsByDir.has("") ? [layoutsByDir.get("")!] : [],
    rootMiddlewares: middlewaresByDir.get("") ?? [],
    routes,
  };
}

/**
 * The function that answers `method` on `route`: its own handler for that method (HEAD falls back to GET),
 * or, for a page without a handler, rendering the page on GET/HEAD.
 */
export function handlerFor<State>(
  route: Pick<LoadedRoute<State>, "handler" | "page">,
  method: Method,
): HandlerFn<unknown, State> | undefined {
  const h = route.handler;
  if (typeof h === "function") return h;
  if (h) return h[method] ?? (method === "HEAD" ? h.GET : undefined);
  if (route.page && (method === "GET" || method === "HEAD")) return (ctx) => ctx.render(undefined);
  return undefined;
}

async function load(file: string | null | undefined) {
  return file ? await import(toFileUrl(file).href) : undefined;
}
