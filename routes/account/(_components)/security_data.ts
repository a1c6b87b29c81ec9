import { setMeta } from "../../_define.ts";
import { getProfile } from "../../../services/auth/profile.ts";
import { listSessions } from "../../../services/auth/sessions.ts";
import { hasRecentAuth } from "../../../services/auth/accounts.ts";
import type { Ctx, Data } from "./security_types.ts";

// Everything here is personal, and some responses carry secrets (2FA key, recovery codes).
export const NO_STORE = { "cache-control": "no-store" };

/** The page's data for the signed-in user; `extra` adds what one request has to show (errors, 2FA set-up). */
export async function load(ctx: Ctx, extra: Partial<Data> = {}): Promise<Data> {
  setMeta(ctx.state, "Account security", "Your profile, password, two-factor authentication and sessions.");
  const { deps, user } = ctx.state;
  const [profile, sessions] = await Promise.all([
    getProfile(deps.db.sql, user),
    listSessions(deps.db.sql, user),
  ]);
  return {
    profile,
    sessions,
    welcome: ctx.url.searchParams.has("welcome"),
    saved: ctx.url.searchParams.get("saved"),
    state: {},
    // A minute's margin: a form shown without the password field must still work when sent a little later.
    stepUpRecent: hasRecentAuth(user, new Date(Date.now() + 60_000)),
    ...extra,
  };
}
