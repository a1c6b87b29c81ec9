import type { StateFor } from "../lib/access.ts";
import { createDefine } from "../lib/define.ts";
import { createApiHandlers } from "../lib/api_handlers.ts";
import type { Deps } from "../services/deps.ts";
import type { Actor } from "../services/audit.ts";
import type { SessionUser } from "../services/auth/sessions.ts";

/** The one per-request state every route, layout and middleware sees. */
export interface State {
  deps: Deps;
  /** Page title and description, set by handlers; `_app` writes them into `<head>`. */
  meta: { title: string; description: string };
  /** The signed-in user (null when anonymous), loaded with a live session on every request. */
  user: SessionUser | null;
  /** How the user authenticated: API clients by bearer token, browsers by cookie (which needs CSRF checks). */
  authVia: "bearer" | "cookie" | null;
  /** Who is acting, from where: passed to services for the audit log. */
  actor: Actor;
  /** This request's id: in every log line written while it is handled and in the `x-request-id` header. */
  requestId: string;
  /** Set-Cookie values the response must carry (rotated tokens, sign-in, sign-out). */
  cookies: string[];
  /** The signed-in user's unread notifications, read for page requests only (the header's bell). */
  unread: number;
}

/**
 * The state of a handler behind a signed-in access rule, for helpers it passes `ctx` to
 * (`Context<SignedInState>`): `user` is non-null.
 */
export type SignedInState = StateFor<State, "authenticated">;

/**
 * `define.handlers`, `define.page`, … as in Fresh, plus `define.api(api, handlers)`: API handlers that get
 * the input their `defineApi` declaration validates, and a non-null `user` when the access rule is not public.
 * Pages get the same narrowing from `define.handlers(handlers, { access })`, given the `access` they export.
 */
export const define = { ...createDefine<State>(), api: createApiHandlers<State>() };

/** Sets the page's `<title>` (suffixed with the brand) and meta description. */
export function setMeta(state: State, title: string, description: string): void {
  state.meta = { title: `${title} · PropTrade Pro`, description };
}
