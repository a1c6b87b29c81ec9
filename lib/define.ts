import type { ComponentType, VNode } from "preact";
import { type Access, admits, type StateFor } from "./access.ts";

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** What a handler returns to have the route's page rendered with `data`. Made by `page()`. */
export interface PageResponse<Data> {
  readonly kind: "page";
  readonly data: Data;
  readonly status?: number;
  readonly headers?: HeadersInit;
}

/**
 * Asks for the route's page to be rendered with `data`.
 *
 * @example
 * export const handler = define.handlers({ async GET(ctx) { return page({ plans: await listPlans() }); } });
 */
export function page<Data>(
  data: Data,
  init: { status?: number; headers?: HeadersInit } = {},
): PageResponse<Data> {
  return { kind: "page", data, ...init };
}

/** The per-request context given to middleware and handlers (the shape of Fresh 2's `ctx`). */
export interface Context<State> {
  readonly req: Request;
  readonly url: URL;
  readonly params: Record<string, string>;
  /** Typed per-request state, filled by middleware. */
  state: State;
  /** Remote address as seen by the server socket (a proxy's, if behind one). */
  readonly remoteAddr: string | undefined;
  /** Runs the rest of the chain (later middleware, then the route). */
  next(): Promise<Response>;
  /** Renders this route's page with `data`. */
  render<Data>(data?: Data, init?: { status?: number; headers?: HeadersInit }): Promise<Response>;
  /** The matched file route (null while answering a 404), with its module's exports (e.g. `api`, `config`). */
  readonly route: RouteInfo | null;
  /** Every file route of the app (for self-descriptions such as the OpenAPI document). */
  readonly routes: readonly RouteInfo[];
  /** Hashed stylesheet URLs of the build, for responses rendered outside the page pipeline. */
  readonly stylesheets: readonly string[];
}

export type HandlerResult<Data> = Response | PageResponse<Data>;
export type HandlerFn<Data, State> = (
  ctx: Context<State>,
) => HandlerResult<Data> | Promise<HandlerResult<Data>>;
export type HandlerByMethod<Data, State> = { [M in Method]?: HandlerFn<Data, State> };
export type RouteHandler<Data, State> = HandlerFn<Data, State> | HandlerByMethod<Data, State>;
export type Middleware<State> = (ctx: Context<State>) => Response | Promise<Response>;

/** Props of pages, layouts and `_app`. Layouts and `_app` render `<Component />` where the inner level goes. */
export interface PageProps<Data = unknown, State = unknown> {
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: State;
  /** The next level down: the layout or page this one wraps. */
  Component: ComponentType<Record<never, never>>;
  /** Set on `_error` pages. */
  error?: unknown;
  status: number;
}

/** A mounted file route: its URL pattern, the methods it answers, and its module's exports. */
export interface RouteInfo {
  pattern: string;
  methods: Method[];
  module: Readonly<Record<string, unknown>>;
}

/** Per-route options, exported as `config` from a route module. */
export interface RouteConfig {
  /**
   * Cache the rendered HTML of GET requests (per path + query) until one of these tags is invalidated.
   * Only for pages identical for every visitor: requests the app calls personal are never stored. A page
   * with islands is rendered for the cache with its boot script allowed by hash instead of a nonce
   * (lib/app/cached_pages.ts). `maxAgeSeconds` also
   * bounds how long a copy lives, for pages showing figures no single service change announces (counts
   * aggregated over many tables).
   */
  cache?: { tags: string[]; maxAgeSeconds?: number };
  /**
   * Largest request body (a posted form) in bytes, read through lib/body.ts; default 64 KB. API routes
   * declare theirs in `defineApi` instead.
   */
  bodyLimit?: number;
  /** Render without `_app` (e.g. a raw document). */
  skipAppWrapper?: boolean;
  /** Render without the `_layout` files of parent folders. */
  skipInheritedLayouts?: boolean;
}

type DataOf<H> = H extends RouteHandler<infer D, infer _S> ? D : never;

/** Typed helpers bound to the app's `State`, as Fresh's `createDefine<State>()`. */
export interface Define<State> {
  /**
   * A route's handlers, as in Fresh. Given the route's access rule (`{ access }`, the same value the module
   * exports as `access`), each handler sees `ctx.state.user` non-null — and, for a role list, with one of
   * those roles — because authorization has already enforced that rule; without it, `user` stays nullable.
   * The module must export that same `access`: the app refuses to start otherwise (see `checkDeclaredAccess`),
   * and a handler that somehow runs without an admitted user throws instead of running (deny by default).
   *
   * @example
   * export const access = "authenticated";
   * export const handler = define.handlers({
   *   GET(ctx) { return page({ email: ctx.state.user.email }); }, // no `user!`
   * }, { access });
   *
   * @example
   * // With the page's data type spelled out, name the rule's type too:
   * export const handler = define.handlers<Data, typeof access>({ ... }, { access });
   */
  handlers<
    Data,
    A extends Access = "public",
    H extends RouteHandler<Data, StateFor<State, A>> = RouteHandler<Data, StateFor<State, A>>,
  >(handlers: H, options?: { access: A }): H;
  page<H = undefined>(
    render: (props: PageProps<H extends undefined ? undefined : DataOf<H>, State>) => VNode | null,
  ): ComponentType<PageProps<H extends undefined ? undefined : DataOf<H>, State>>;
  middleware(mw: Middleware<State> | Middleware<State>[]): Middleware<State> | Middleware<State>[];
  layout(
    render: (props: PageProps<unknown, State>) => VNode | null,
  ): ComponentType<PageProps<unknown, State>>;
}

export function createDefine<State>(): Define<State> {
  return {
    handlers: (h, options) => options ? withAccess(h, options.access) : h,
    page: (render) => render,
    middleware: (mw) => mw,
    layout: (render) => render,
  };
}

/** Where `define.handlers(…, { access })` records the rule its handlers were typed for. */
const DECLARED_ACCESS = Symbol("declaredAccess");

/**
 * Wraps each handler so it never runs for a user its rule does not admit: authorization normally refuses such
 * a request first, so reaching the check is a wiring bug (a module that does not export the rule), answered
 * as a 500 rather than by a handler that trusted a non-null user.
 */
function withAccess<H>(handler: H, access: Access): H {
  const guard = <S>(fn: HandlerFn<unknown, S>): HandlerFn<unknown, S> => (ctx) => {
    const user = (ctx.state as { user?: { role: string } | null }).user;
    if (!admits(access, user)) {
      throw new Error(
        `${ctx.route?.pattern ?? "route"}: handler for access ${JSON.stringify(access)} reached without ` +
          "an admitted user; does the module export the same `access`?",
      );
    }
    return fn(ctx);
  };
  const wrapped = typeof handler === "function"
    ? guard(handler as HandlerFn<unknown, unknown>)
    : Object.fromEntries(
      Object.entries(handler as HandlerByMethod<unknown, unknown>).map((
        [method, fn],
      ) => [method, guard(fn!)]),
    );
  Object.defineProperty(wrapped, DECLARED_ACCESS, { value: access });
  return wrapped as H;
}

/**
 * Refuses a route module whose handler was typed for an access rule (`define.handlers(…, { access })`) the
 * module does not export as `access` — the rule authorization reads. Called for every route at startup, so a
 * handler cannot rely on a non-null user that nothing enforces.
 */
export function checkDeclaredAccess(pattern: string, module: Readonly<Record<string, unknown>>): void {
  const handler = module.handler as Record<symbol, unknown> | undefined;
  if (!handler || !(DECLARED_ACCESS in handler)) return;
  const declared = handler[DECLARED_ACCESS];
  if (JSON.stringify(declared) === JSON.stringify(module.access)) return;
  throw new Error(
    `${pattern}: the handler is typed for access ${JSON.stringify(declared)}, but the module exports ` +
      `access ${JSON.stringify(module.access)}. Export the same rule: \`export const access = …\` and ` +
      "`define.handlers(handlers, { access })`.",
  );
}
