import type { ComponentType, VNode } from "preact";

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
   * Only pages without islands are cached: their HTML needs no per-response nonce. `maxAgeSeconds` also
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
interface Define<State> {
  handlers<Data, H extends RouteHandler<Data, State> = RouteHandler<Data, State>>(handlers: H): H;
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
    handlers: (h) => h,
    page: (render) => render,
    middleware: (mw) => mw,
    layout: (render) => render,
  };
}
