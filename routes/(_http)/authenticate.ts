import type { Context } from "../../lib/define.ts";
import { getCookies, withCookies } from "../../lib/cookies.ts";
import { HttpError, Unauthorized } from "../../lib/errors.ts";
import { verifyAccessToken } from "../../services/auth/tokens.ts";
import { loadSessionUser, rotateRefreshToken, type SessionUser } from "../../services/auth/sessions.ts";
import { accessTokenFor } from "../../services/auth/accounts.ts";
import type { State } from "../_define.ts";
import { clearSessionCookies, cookieNames, secureCookies, sessionCookies } from "./auth_cookies.ts";

/** How long a just-spent refresh cookie is a benign race rather than a replay (see rotateRefreshToken). */
const REFRESH_RACE_GRACE_MS = 10_000;

/**
 * Loads the caller. API clients send `Authorization: Bearer`; a bad bearer token is a 401 at once. Browsers
 * send cookies; an expired access cookie is renewed transparently with the refresh cookie (rotating it), and
 * unusable cookies are cleared so the visitor simply continues signed out.
 */
export async function authenticate(ctx: Context<State>): Promise<Response> {
  const { deps } = ctx.state;
  const authorization = ctx.req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization);
    if (!match) throw new Unauthorized("Send the access token as `Authorization: Bearer <token>`.");
    ctx.state.user = await userFromAccessToken(ctx, match[1]);
    if (!ctx.state.user) throw new Unauthorized("The session has ended; sign in again.");
    ctx.state.authVia = "bearer";
  } else {
    const secure = secureCookies(deps.config.env, deps.config.appUrl);
    const names = cookieNames(secure);
    const cookies = getCookies(ctx.req);
    let user: SessionUser | null = null;
    let raced = false;
    if (cookies[names.access]) user = await userFromAccessToken(ctx, cookies[names.access]).catch(() => null);
    if (!user && cookies[names.refresh]) {
      try {
        const rotated = await rotateRefreshToken(
          deps.db,
          cookies[names.refresh],
          ctx.state.actor,
          undefined,
          {
            graceMs: REFRESH_RACE_GRACE_MS,
          },
        );
        const accessToken = await accessTokenFor(deps, rotated.userId, rotated.role, rotated.sessionId);
        user = await loadSessionUser(deps.db.sql, rotated.sessionId);
        ctx.state.cookies.push(
          ...sessionCookies(secure, { ...rotated, accessToken, refreshExpiresAt: rotated.expiresAt }),
        );
      } catch (error) {
        // A parallel request of the same page rotated first: its response carries the new cookies, so this
        // one must not clear them.
        if (error instanceof HttpError && error.code === "refresh_in_progress") raced = true;
        else if (!(error instanceof Unauthorized)) throw error;
      }
    }
    if (!user && !raced && (cookies[names.access] || cookies[names.refresh])) {
      ctx.state.cookies.push(...clearSessionCookies(secure));
    }
    ctx.state.user = user;
    ctx.state.authVia = user ? "cookie" : null;
  }
  if (ctx.state.user) ctx.state.actor = { ...ctx.state.actor, userId: ctx.state.user.id };
  const res = await ctx.next();
  return withCookies(res, ctx.state.cookies);
}

async function userFromAccessToken(ctx: Context<State>, token: string): Promise<SessionUser | null> {
  const { deps } = ctx.state;
  const claims = await verifyAccessToken(deps.tokenKeys, token);
  const user = await loadSessionUser(deps.db.sql, claims.sid);
  // The session must belong to the token's subject: a token is only as good as the login it came from.
  return user && user.id === claims.sub ? user : null;
}
