import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import { singleLine } from "../../lib/text.ts";
import { Conflict, Forbidden, HttpError, Unprocessable } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { hashPassword } from "./password.ts";
import { checkPasswordPolicy } from "./password_policy.ts";
import { createSession, markReauthenticated, revokeOtherSessions, type SessionUser } from "./sessions.ts";
import { ACCESS_TOKEN_SECONDS, signAccessToken } from "./tokens.ts";
import { consumeEmailToken, issueEmailToken } from "./email_tokens.ts";
import { isTotpEnabled, verifySecondFactor } from "./two_factor.ts";
import { enforce, RATE_RULES as RULES } from "../rate_limit/rules.ts";
import { checkPassword, checkSecondFactor, checkSignInPassword } from "./credential_check.ts";
import { issueDeviceToken } from "./device_tokens.ts";
import {
  passwordChangedMail,
  registrationAttemptMail,
  resetPasswordMail,
  verifyEmailMail,
} from "../mail/templates.ts";
import type { AuthDeps } from "./context.ts";
import type { Role } from "./roles.ts";

/** Emails compare case-insensitively and without surrounding space; stored as typed, trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

export const emailSchema = singleLine().trim().max(254).email("must be a valid email address").transform(
  normalizeEmail,
);
/** Length and content rules live in the password policy; the schema only bounds the input. */
export const passwordSchema = z.string().min(1, "is required").max(1024, "is too long");
/** A first or last name: one line of text. */
export const nameSchema = singleLine().trim().max(100);

export const registerInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  firstName: nameSchema.default(""),
  lastName: nameSchema.default(""),
});

export const loginInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  /** The TOTP or a recovery code, when the account has 2FA. */
  code: singleLine().trim().max(32).optional(),
  /**
   * The `deviceToken` an earlier successful login returned to this client: it signs in on its own rate budget
   * while strangers' failures have spent the account's (see device_tokens.ts). Browsers send it as a cookie.
   */
  deviceToken: singleLine().max(200).optional(),
});

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

/** What a sign-in returns: the session's tokens and a fresh device token for this client to keep. */
interface SignIn extends TokenPair {
  deviceToken: string;
  /** The signed-in user's role: where the page lands depends on it (traders' dashboard, staff's back office). */
  role: Role;
}

function policyError(password: string, user: { email: string; firstName?: string; lastName?: string }) {
  const problem = checkPasswordPolicy(password, user);
  if (problem) throw new Unprocessable("password", problem);
}

/**
 * Creates a trader account and mails a verification link. A taken email is answered the same way (the caller
 * cannot tell, so sign-up does not reveal who has an account): its owner is mailed that someone tried, and
 * nothing else changes. The same password hash is computed either way, so the time taken is alike too.
 * `next` (a path on this site, checked by the caller) rides along in both mails' links, so the visitor
 * carries on where they were going once confirmed or signed in.
 */
export async function register(
  deps: AuthDeps,
  input: z.infer<typeof registerInput>,
  actor: Actor,
  next?: string,
): Promise<void> {
  // A rejected weak password costs nothing, so it does not use up the address's sign-up budget.
  policyError(input.password, input);
  await enforce(deps.limiter, RULES.register_ip, actor.ip ?? "unknown");
  const passwordHash = await hashPassword(input.password);
  const mail = await deps.db.tx(async (tx) => {
    // Insert first: a look-up before the insert leaves a window in which a simultaneous sign-up for the same
    // address takes it and this one dies on the unique index (a 500 that also tells the address is taken).
    // `on conflict do nothing` waits for that other transaction and then yields no row.
    const [user] = await tx<{ id: string; email: string }[]>`
      insert into users (email, password_hash, first_name, last_name)
      values (${input.email}, ${passwordHash}, ${input.firstName}, ${input.lastName})
      on conflict do nothing
      returning id, email`;
    if (!user) {
      const [existing] = await tx<{ id: string; email: string }[]>`
        select id, email from users where lower(email) = ${input.email}`;
      await recordAudit(tx, actor, "auth.register_taken", { type: "user", id: existing.id });
      return { to: existing.email, ...registrationAttemptMail(deps.config.appUrl, next) };
    }
    const token = await issueEmailToken(tx, user.id, "verify_email");
    await recordAudit(tx, { ...actor, userId: user.id }, "auth.register", { type: "user", id: user.id });
    return { to: user.email, ...verifyEmailMail(deps.config.appUrl, token, input.firstName, next) };
  });
  await deps.mailer.send(mail);
}

/** Issues an access token for a session (after login or refresh). */
export async function accessTokenFor(deps: AuthDeps, userId: string, role: Role, sessionId: string) {
  return await signAccessToken(deps.tokenKeys, { sub: userId, role, sid: sessionId });
}

/**
 * Password (+ second factor when enabled) → a new session and a fresh device token. Rate limited per IP and
 * per client (credential_check.ts); failures are audited and always answer the same message. 401
 * `two_factor_required` asks the client for the code.
 */
export async function login(
  deps: AuthDeps,
  input: z.infer<typeof loginInput>,
  actor: Actor,
): Promise<SignIn> {
  const user = await checkSignInPassword(deps, input, actor);
  if (user.status !== "active") {
    throw new Forbidden(`This account is suspended or closed. Write to ${deps.config.supportEmail}.`);
  }

  const pair = await deps.db.tx(async (tx) => {
    const secondFactor = await isTotpEnabled(tx, user.id);
    if (secondFactor) {
      const code = input.code;
      if (!code) {
        throw new HttpError(401, "two_factor_required", "Enter the code from your authenticator app.");
      }
      await checkSecondFactor(deps, user.id, code, "totp_or_recovery", async () => {
        if (!await verifySecondFactor(tx, deps.totpKey, user.id, code, { ...actor, userId: user.id })) {
          throw new HttpError(401, "invalid_two_factor_code", "The code is not valid. Try the current one.");
        }
      });
    }
    const session = await createSession(tx, user.id, actor);
    // Signing in with the code is a second-factor proof (step_up.ts).
    if (secondFactor) await markReauthenticated(tx, session.sessionId, new Date(), true);
    await recordAudit(tx, { ...actor, userId: user.id }, "auth.login", {
      type: "session",
      id: session.sessionId,
    });
    return {
      accessToken: await accessTokenFor(deps, user.id, user.role, session.sessionId),
      refreshToken: session.refreshToken,
      expiresIn: ACCESS_TOKEN_SECONDS,
      sessionId: session.sessionId,
    };
  });
  return { ...pair, role: user.role, deviceToken: await issueDeviceToken(deps.deviceKey, user.id) };
}

/** Confirms the email address behind a verification link. */
export async function verifyEmail(deps: AuthDeps, token: string, actor: Actor): Promise<void> {
  await deps.db.tx(async (tx) => {
    const { userId } = await consumeEmailToken(tx, "verify_email", token);
    await tx`update users set email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
             where id = ${userId}`;
    await recordAudit(tx, { ...actor, userId }, "auth.email_verified", { type: "user", id: userId });
  });
}

/** Sends a new verification link to a signed-in user whose email is not verified yet. */
export async function resendVerification(deps: AuthDeps, user: SessionUser): Promise<void> {
  if (user.emailVerified) throw new Conflict("Your email address is already verified.");
  await enforce(deps.limiter, RULES.reset_account, user.email);
  const token = await deps.db.tx((tx) => issueEmailToken(tx, user.id, "verify_email"));
  await deps.mailer.send({ to: user.email, ...verifyEmailMail(deps.config.appUrl, token, user.firstName) });
}

/**
 * Mails a reset link if the account exists. The answer is the same either way, and so is the time it takes,
 * so the endpoint cannot be used to find out who has an account.
 *
 * Only the rate limits run before the answer, and they do the same work for any address. Looking the
 * account up, issuing the token and sending the mail (an SMTP round trip) run after it, in the background:
 * done inline they took ~2 ms more for a known address without SMTP and 10+ ms more with it. Preferred over
 * doing dummy work for unknown addresses: a dummy twin drifts from the real path as either changes, and the
 * SMTP round trip cannot be imitated cheaply. In-process rather than a durable queue: a link lost to a
 * restart costs the visitor one more request (the page says to ask again if nothing arrives).
 */
export async function requestPasswordReset(deps: AuthDeps, email: string, actor: Actor): Promise<void> {
  await enforce(deps.limiter, RULES.reset_ip, actor.ip ?? "unknown");
  await enforce(deps.limiter, RULES.reset_account, email);
  deps.background.run("password reset mail", () => sendResetLink(deps, email));
}

/** The part of a reset request that depends on whether the account exists: off the request path. */
async function sendResetLink(deps: AuthDeps, email: string): Promise<void> {
  const [user] = await deps.db.sql<{ id: string; email: string; status: string }[]>`
    select id, email, status from users where lower(email) = ${email}`;
  if (!user || user.status !== "active") return;
  const mail = await deps.db.tx((tx) => resetLinkMail(tx, deps.config.appUrl, user));
  await deps.mailer.send(mail);
}

/**
 * Issues a reset token for `user` in `tx` and returns the mail carrying its link, to send once `tx` commits:
 * the one reset mail, whether the trader asked for it or staff sent it from the back office.
 */
export async function resetLinkMail(tx: Sql, appUrl: string, user: { id: string; email: string }) {
  const token = await issueEmailToken(tx, user.id, "reset_password");
  return { to: user.email, ...resetPasswordMail(appUrl, token) };
}

/** Sets a new password from a reset link and signs the account out everywhere. */
export async function resetPassword(
  deps: AuthDeps,
  token: string,
  password: string,
  actor: Actor,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  const email = await deps.db.tx(async (tx) => {
    const { userId } = await consumeEmailToken(tx, "reset_password", token);
    const [user] = await tx<{ email: string; first_name: string; last_name: string }[]>`
      select email, first_name, last_name from users where id = ${userId}`;
    policyError(password, { email: user.email, firstName: user.first_name, lastName: user.last_name });
    // Following the link proves control of the mailbox, so the address counts as verified too.
    await tx`update users set password_hash = ${passwordHash}, password_changed_at = now(), updated_at = now(),
             email_verified_at = coalesce(email_verified_at, now()) where id = ${userId}`;
    await revokeOtherSessions(tx, userId, null, "password_change");
    await recordAudit(tx, { ...actor, userId }, "auth.password_reset", { type: "user", id: userId });
    return user.email;
  });
  await deps.mailer.send({ to: email, ...passwordChangedMail(deps.config.supportEmail) });
}

/** Changes the password of a signed-in user (current password required) and ends their other sessions. */
export async function changePassword(
  deps: AuthDeps,
  user: SessionUser,
  input: { currentPassword: string; newPassword: string },
  actor: Actor,
): Promise<void> {
  await checkPassword(deps, user.id, input.currentPassword, "currentPassword");
  policyError(input.newPassword, user);
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.tx(async (tx) => {
    await tx`update users set password_hash = ${passwordHash}, password_changed_at = now(), updated_at = now()
             where id = ${user.id}`;
    await revokeOtherSessions(tx, user.id, user.sessionId, "password_change");
    await markReauthenticated(tx, user.sessionId);
    await recordAudit(tx, actor, "auth.password_changed", { type: "user", id: user.id });
  });
  await deps.mailer.send({ to: user.email, ...passwordChangedMail(deps.config.supportEmail) });
}

/**
 * Step-up: proves presence again with the password or a 2FA code, for actions that need a recent proof
 * (payouts, role changes, 2FA set-up). Both are limited (credential_check.ts). Returns the user as the rest
 * of the request should see it: step-up just done. See `requireRecentAuth`.
 */
export async function reauthenticate(
  deps: AuthDeps,
  user: SessionUser,
  input: { password?: string; code?: string },
  actor: Actor,
  now = new Date(),
): Promise<SessionUser> {
  const code = input.code;
  if (!code) await checkPassword(deps, user.id, input.password ?? "", "password");
  await deps.db.tx(async (tx) => {
    if (code) {
      await checkSecondFactor(deps, user.id, code, "totp_or_recovery", async () => {
        if (!await verifySecondFactor(tx, deps.totpKey, user.id, code, actor, now)) {
          throw new Unprocessable("code", "is not correct");
        }
      });
    }
    await markReauthenticated(tx, user.sessionId, now, !!code);
    await recordAudit(tx, actor, "auth.reauthenticated", { type: "session", id: user.sessionId });
  });
  return { ...user, reauthenticatedAt: now };
}

/** Step-up window: sensitive actions need a password or code entered within the last 5 minutes. */
const RECENT_AUTH_MS = 5 * 60_000;

/** Whether the session proved presence within `withinMs` (the set-up page asks for the password when not). */
export function hasRecentAuth(user: SessionUser, now = new Date(), withinMs = RECENT_AUTH_MS): boolean {
  return now.getTime() - user.reauthenticatedAt.getTime() <= withinMs;
}

/**
 * Throws 403 `step_up_required` unless the session proved presence within `withinMs`: a stolen session alone
 * must not be enough for a sensitive action. 403, not 401: the session is fine, and a client must not sign
 * out or refresh on it, only confirm with POST /api/auth/reauth.
 */
export function requireRecentAuth(user: SessionUser, now = new Date(), withinMs = RECENT_AUTH_MS): void {
  if (!hasRecentAuth(user, now, withinMs)) {
    throw new HttpError(
      403,
      "step_up_required",
      "Confirm it is you: enter your password or a 2FA code again (POST /api/auth/reauth).",
    );
  }
}
