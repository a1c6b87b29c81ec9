/**
 * What a signed-in user does with their own 2FA, as the API routes and the /account/security page both call
 * it: set-up (needs a recent step-up), turning it off and replacing the recovery codes. Every code goes
 * through `checkSecondFactor` (one budget per account, shared with sign-in and step-up); the storage and the
 * verification itself are two_factor.ts's. Turning 2FA on or off mails the owner once the change is committed:
 * whoever turns it off with a stolen session and recovery code must not do so unnoticed.
 */
import type { Actor } from "../audit.ts";
import { twoFactorChangedMail } from "../mail/templates.ts";
import { requireRecentAuth } from "./accounts.ts";
import { checkSecondFactor } from "./credential_check.ts";
import type { AuthDeps } from "./context.ts";
import type { SessionUser } from "./sessions.ts";
import {
  beginTotpEnrollment,
  confirmTotpEnrollment,
  disableTotp,
  regenerateRecoveryCodes,
  type TotpEnrollment,
} from "./two_factor.ts";

/**
 * Confirming may come a while after the step-up that started the set-up (finding the app, scanning the
 * code): it gets longer than the usual 5 minutes, but a session left open for an hour does not qualify.
 */
const SETUP_STEP_UP_MS = 15 * 60_000;

/**
 * Starts set-up. 403 `step_up_required` without a step-up in the last 5 minutes: whoever holds a stolen
 * session must not bind their own phone to the account (the owner would then be locked out at sign-in).
 */
export async function beginTwoFactor(deps: AuthDeps, user: SessionUser): Promise<TotpEnrollment> {
  requireRecentAuth(user);
  return await beginTotpEnrollment(deps.db, deps.totpKey, user);
}

/** Turns 2FA on with the first code from the app (exactly 6 digits); step-up within `SETUP_STEP_UP_MS`. */
export async function confirmTwoFactor(
  deps: AuthDeps,
  user: SessionUser,
  code: string,
  actor: Actor,
): Promise<{ recoveryCodes: string[] }> {
  requireRecentAuth(user, new Date(), SETUP_STEP_UP_MS);
  const result = await checkSecondFactor(
    deps,
    user.id,
    code,
    "totp",
    () => confirmTotpEnrollment(deps.db, deps.totpKey, user.id, code, actor),
  );
  await deps.mailer.send({ to: user.email, ...twoFactorChangedMail(true, deps.config.supportEmail) });
  return result;
}

/** Turns 2FA off, given a current code or an unused recovery code. */
export async function disableTwoFactor(
  deps: AuthDeps,
  user: SessionUser,
  code: string,
  actor: Actor,
): Promise<void> {
  await checkSecondFactor(
    deps,
    user.id,
    code,
    "totp_or_recovery",
    () => disableTotp(deps.db, deps.totpKey, user.id, code, actor),
  );
  await deps.mailer.send({ to: user.email, ...twoFactorChangedMail(false, deps.config.supportEmail) });
}

/** Replaces the recovery codes, given a current code or an unused recovery code. */
export async function replaceRecoveryCodes(
  deps: AuthDeps,
  user: SessionUser,
  code: string,
  actor: Actor,
): Promise<{ recoveryCodes: string[] }> {
  return await checkSecondFactor(
    deps,
    user.id,
    code,
    "totp_or_recovery",
    () => regenerateRecoveryCodes(deps.db, deps.totpKey, user.id, code, actor),
  );
}
