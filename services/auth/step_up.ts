/**
 * The step-up a payout request needs (DESIGN §3.2, §6): a proof of presence within the last 5 minutes — a
 * 2FA code when the user has 2FA on (a password alone does not do then: whoever stole the session may know
 * the password too), the password otherwise. Proofs come from sign-in or POST /api/auth/reauth.
 */
import type { Sql } from "../../db/client.ts";
import { HttpError } from "../../lib/errors.ts";
import type { SessionUser } from "./sessions.ts";

const STEP_UP_MS = 5 * 60_000;

/** Throws 403 `step_up_required` unless the session holds a recent enough proof of the right kind. */
export async function requireMoneyStepUp(sql: Sql, user: SessionUser, now = new Date()): Promise<void> {
  const [row] = await sql<{ reauthenticated_at: Date; reauth_second_factor: boolean }[]>`
    select reauthenticated_at, reauth_second_factor from auth_sessions where id = ${user.sessionId}`;
  const recent = !!row && now.getTime() - row.reauthenticated_at.getTime() <= STEP_UP_MS;
  if (recent && (!user.twoFactorEnabled || row.reauth_second_factor)) return;
  throw new HttpError(
    403,
    "step_up_required",
    user.twoFactorEnabled
      ? "Confirm it is you: enter a code from your authenticator app again (POST /api/auth/reauth with code)."
      : "Confirm it is you: enter your password again (POST /api/auth/reauth).",
  );
}
