/**
 * TOTP two-factor authentication: enrolment (begin → confirm with a first code), verification at login and
 * step-up, recovery codes, and switching it off.
 *
 * The shared secret is stored sealed (see `secret_box.ts`) and bound to its user id, so neither a database dump
 * nor a row copied onto another user yields working codes. Every check of a code locks the user's `user_totp`
 * row (`SELECT … FOR UPDATE`) and records the accepted step in the same transaction: two requests racing with
 * one code serialize on the lock, and the second sees the step already spent.
 *
 * Rate limiting wrong codes is the caller's job (it knows the account and the IP); these functions only answer.
 */
import type { Db, Sql, Tx } from "../../db/client.ts";
import { Conflict, Unprocessable } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import {
  hashRecoveryCode,
  newRecoveryCodes,
  recoveryCodeHashes,
  upgradeLegacyRecoveryCodes,
} from "./recovery_codes.ts";
import { openTotpSecret, sealTotpSecret, type TwoFactorKeys } from "./two_factor_keys.ts";
import { matchTotp, newTotpSecret, qrSvgDataUrl, totpUri } from "./totp.ts";

/** What the set-up screen shows: the QR code, and the secret and URI for typing in by hand. */
export interface TotpEnrollment {
  secret: string;
  uri: string;
  qrSvgDataUrl: string;
}

interface TotpRow {
  secret_encrypted: string;
  enabled_at: Date | null;
  // bigint: the driver returns it as a string.
  last_used_step: string | null;
}

const WRONG_CODE = "is not valid: enter the current code from your authenticator app";
const WRONG_CODE_OR_RECOVERY =
  "is not valid: enter the current code from your app or an unused recovery code";

/**
 * Starts enrolment: a new secret, stored sealed and not yet enabled (replacing an earlier unconfirmed one).
 * 409 when 2FA is already on: turning it off first needs a code, re-enrolling must not bypass that.
 */
export async function beginTotpEnrollment(
  db: Db,
  keys: TwoFactorKeys,
  user: { id: string; email: string },
): Promise<TotpEnrollment> {
  const secret = newTotpSecret();
  const sealed = await sealTotpSecret(keys, secret, user.id);
  // One statement, so no transaction: the `where` of the upsert is re-checked against the locked row, so a
  // confirmation committing meanwhile cannot be overwritten.
  const rows = await db.sql`
    insert into user_totp (user_id, secret_encrypted)
    values (${user.id}, ${sealed})
    on conflict (user_id) do update
      set secret_encrypted = excluded.secret_encrypted, created_at = now(), last_used_step = null
      where user_totp.enabled_at is null
    returning user_id`;
  if (rows.length === 0) throw new Conflict("Two-factor authentication is already enabled.");
  const uri = totpUri(secret, user.email);
  return { secret, uri, qrSvgDataUrl: qrSvgDataUrl(uri) };
}

/**
 * Finishes enrolment with the first code from the app (proof that it was set up), turns 2FA on and returns a
 * fresh set of recovery codes, shown to the user once. 422 (`code`) for a wrong code; 409 when there is no
 * pending enrolment or 2FA is already on.
 */
export async function confirmTotpEnrollment(
  db: Db,
  keys: TwoFactorKeys,
  userId: string,
  code: string,
  actor: Actor,
  now: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  return await db.tx(async (tx) => {
    const row = await lockTotp(tx, userId);
    if (!row) throw new Conflict("Start two-factor set-up first.");
    if (row.enabled_at) throw new Conflict("Two-factor authentication is already enabled.");
    const step = matchTotp(await totpSecret(keys, row, userId), code, now, lastStep(row));
    if (step === null) throw new Unprocessable("code", WRONG_CODE);
    await tx`update user_totp set enabled_at = ${now}, last_used_step = ${step} where user_id = ${userId}`;
    const recoveryCodes = await replaceRecoveryCodes(tx, keys, userId, now);
    await recordAudit(tx, actor, "auth.2fa_enabled", { type: "user", id: userId });
    return { recoveryCodes };
  });
}

/**
 * Turns 2FA off, given a current TOTP code or an unused recovery code (someone holding only a session must
 * not be able to remove the second factor). Deletes the secret and all recovery codes. 422 (`code`) for a
 * wrong code; 409 when 2FA is not on.
 */
export async function disableTotp(
  db: Db,
  keys: TwoFactorKeys,
  userId: string,
  code: string,
  actor: Actor,
  now: Date = new Date(),
): Promise<void> {
  await db.tx(async (tx) => {
    const row = await lockEnabledTotp(tx, userId);
    if (!await checkCode(tx, keys, userId, row, code, actor, now)) {
      throw new Unprocessable("code", WRONG_CODE_OR_RECOVERY);
    }
    await tx`delete from recovery_codes where user_id = ${userId}`;
    await tx`delete from user_totp where user_id = ${userId}`;
    await recordAudit(tx, actor, "auth.2fa_disabled", { type: "user", id: userId });
  });
}

/** Whether the user has confirmed 2FA (a pending enrolment does not count). */
export async function isTotpEnabled(sql: Sql, userId: string): Promise<boolean> {
  const [row] = await sql`
    select 1 from user_totp where user_id = ${userId} and enabled_at is not null`;
  return row !== undefined;
}

/**
 * Checks a second factor at login or step-up, inside the caller's transaction: a TOTP code (each step accepted
 * once) or an unused recovery code (consumed, and audited as `auth.recovery_code_used`). `false` for a wrong
 * code or when 2FA is not on. The spent step or code is written in `tx`, so roll back only if the whole
 * action fails.
 */
export async function verifySecondFactor(
  tx: Tx,
  keys: TwoFactorKeys,
  userId: string,
  code: string,
  actor: Actor,
  now: Date = new Date(),
): Promise<boolean> {
  const row = await lockTotp(tx, userId);
  if (!row?.enabled_at) return false;
  return await checkCode(tx, keys, userId, row, code, actor, now);
}

/**
 * Replaces all recovery codes with a new set (e.g. when the old ones ran out or were exposed), given a current
 * TOTP code or an unused recovery code. 422 (`code`) for a wrong code; 409 when 2FA is not on.
 */
export async function regenerateRecoveryCodes(
  db: Db,
  keys: TwoFactorKeys,
  userId: string,
  code: string,
  actor: Actor,
  now: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  return await db.tx(async (tx) => {
    const row = await lockEnabledTotp(tx, userId);
    if (!await checkCode(tx, keys, userId, row, code, actor, now)) {
      throw new Unprocessable("code", WRONG_CODE_OR_RECOVERY);
    }
    const recoveryCodes = await replaceRecoveryCodes(tx, keys, userId, now);
    await recordAudit(tx, actor, "auth.recovery_codes_regenerated", { type: "user", id: userId });
    return { recoveryCodes };
  });
}

async function lockTotp(tx: Tx, userId: string): Promise<TotpRow | undefined> {
  const [row] = await tx<TotpRow[]>`
    select secret_encrypted, enabled_at, last_used_step from user_totp where user_id = ${userId} for update`;
  return row;
}

async function lockEnabledTotp(tx: Tx, userId: string): Promise<TotpRow> {
  const row = await lockTotp(tx, userId);
  if (!row?.enabled_at) throw new Conflict("Two-factor authentication is not enabled.");
  return row;
}

async function totpSecret(keys: TwoFactorKeys, row: TotpRow, userId: string): Promise<string> {
  return (await openTotpSecret(keys, row.secret_encrypted, userId)).secret;
}

function lastStep(row: TotpRow): number | null {
  return row.last_used_step === null ? null : Number(row.last_used_step);
}

/**
 * A TOTP code (marks its step used) or a recovery code (marks it used). The caller holds the row lock. A
 * 6-digit code is never a recovery code (those have 10 symbols), so the two cannot be confused.
 */
async function checkCode(
  tx: Tx,
  keys: TwoFactorKeys,
  userId: string,
  row: TotpRow,
  code: string,
  actor: Actor,
  now: Date,
): Promise<boolean> {
  if (/^\s*\d{3}\s*\d{3}\s*$/.test(code)) {
    const step = matchTotp(await totpSecret(keys, row, userId), code, now, lastStep(row));
    if (step === null) return false;
    await tx`update user_totp set last_used_step = ${step} where user_id = ${userId}`;
    return true;
  }
  // Its hash under every key of the ring: codes made before a rotation keep working.
  const hashes = await recoveryCodeHashes(keys, code);
  if (hashes.length === 0) return false;
  // Codes stored before keyed hashing: re-hash this user's (under the row lock the caller holds) so they match.
  await upgradeLegacyRecoveryCodes({ sql: tx }, keys, userId);
  const used = await tx`
    update recovery_codes set used_at = ${now}
    where user_id = ${userId} and code_hash = any(${hashes}::text[]) and used_at is null
    returning id`;
  if (used.length === 0) return false;
  const [{ left }] = await tx<{ left: number }[]>`
    select count(*)::int as left from recovery_codes where user_id = ${userId} and used_at is null`;
  await recordAudit(tx, actor, "auth.recovery_code_used", {
    type: "user",
    id: userId,
    details: { recoveryCodesLeft: left },
  });
  return true;
}

async function replaceRecoveryCodes(
  tx: Tx,
  keys: TwoFactorKeys,
  userId: string,
  now: Date,
): Promise<string[]> {
  const codes = newRecoveryCodes();
  const rows = await Promise.all(
    codes.map(async (code) => ({
      user_id: userId,
      code_hash: await hashRecoveryCode(keys, code),
      created_at: now,
    })),
  );
  await tx`delete from recovery_codes where user_id = ${userId}`;
  await tx`insert into recovery_codes ${tx(rows, "user_id", "code_hash", "created_at")}`;
  return codes;
}
