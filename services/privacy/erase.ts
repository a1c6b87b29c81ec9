/**
 * Erasure (GDPR art. 17). Personal data is anonymised at once, in one transaction: the user row keeps its id
 * (financial records that the law makes us keep stay linked to it) but loses email, name, country, zone and
 * password; sessions end and lose IP and browser; tokens, 2FA, notifications and preferences are deleted; the
 * audit entries and mails about the user lose the address, IP and browser. Orders, payouts, refunds, accounts,
 * trades, account events and breaches are kept unchanged (services/retention.ts says how long), and identity
 * documents stay encrypted in storage until their own period ends (services/privacy/prune.ts deletes them).
 *
 * Immediate rather than after a grace period: the request is confirmed with a fresh password or 2FA code
 * (the same step-up as a payout), so a stolen session alone cannot erase an account; the export is offered on
 * the same page first; and a "pending erasure" state would keep personal data, and a way to sign in, for
 * weeks after the trader asked us to stop. GDPR asks for erasure "without undue delay".
 */
import type { Deps } from "../deps.ts";
import type { Sql, Tx } from "../../db/client.ts";
import { HttpError } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { reauthenticate } from "../auth/accounts.ts";
import { requireMoneyStepUp } from "../auth/step_up.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { revokeOtherSessions } from "../auth/sessions.ts";
import { announceEndedSessions } from "../auth/session_liveness.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { recordClosures } from "../accounts/close.ts";
import { accountColumns, type AccountRow } from "../accounts/summary.ts";
import { scrubAuditEntries, scrubMails } from "./scrub.ts";

/** The address an erased user is left with: unique (the id), obviously erased, never deliverable (.invalid). */
export function erasedEmail(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

/** Stored instead of a password hash: no password verifies against it. */
const NO_PASSWORD = "!erased";

export interface ErasureResult {
  /** False when the user had already been erased (a repeated request changes nothing). */
  erased: boolean;
  sessionsEnded: number;
  accountsClosed: number;
}

/**
 * The trader's own request: the proof is checked first (a 2FA code when 2FA is on, the password otherwise),
 * then the account is erased. Staff accounts are refused (an admin closes them), and so is a trader with a
 * payout under way (we still have to pay it and may need to reach them about it).
 */
export async function requestErasure(
  deps: Deps,
  user: SessionUser,
  proof: { password?: string; code?: string },
  actor: Actor,
  now = new Date(),
): Promise<ErasureResult> {
  if (user.role !== "trader") {
    throw new HttpError(
      409,
      "staff_account",
      "Staff accounts are closed by an administrator, not erased here.",
    );
  }
  const stepped = await reauthenticate(deps, user, proof, actor, now);
  await requireMoneyStepUp(deps.db.sql, stepped, now);
  if ((await erasureImpact(deps.db.sql, user.id)).payoutOpen) {
    throw new HttpError(
      409,
      "payout_open",
      "A payout of yours is still under way. Wait until it is paid (or cancel it), then ask again.",
    );
  }
  return await eraseUser(deps, user.id, now);
}

/** What erasing would do to the user's money now: the accounts it closes, and whether a payout blocks it. */
export async function erasureImpact(
  sql: Sql,
  userId: string,
): Promise<{ openAccounts: number; payoutOpen: boolean }> {
  const [row] = await sql<{ open_accounts: number; payout_open: boolean }[]>`
    select (select count(*)::int from accounts where user_id = ${userId} and status in ${sql(OPEN_STATUSES)})
             as open_accounts,
           exists (select 1 from payouts where user_id = ${userId} and status in ('pending', 'approved'))
             as payout_open`;
  return { openAccounts: row.open_accounts, payoutOpen: row.payout_open };
}

/** Accounts that can still trade: erasure closes them. */
const OPEN_STATUSES = ["pending", "active", "paused", "pending_kyc"];

/**
 * Anonymises `userId` (see the module comment). Idempotent: an already erased user is left as is. The audit
 * entry names no personal data and carries no IP or browser.
 */
export async function eraseUser(
  deps: Pick<Deps, "db" | "bus">,
  userId: string,
  now = new Date(),
): Promise<ErasureResult> {
  const outcome = await deps.db.tx(async (tx) => {
    const [user] = await tx<{ email: string; erased_at: Date | null }[]>`
      select email, erased_at from users where id = ${userId} for update`;
    if (!user) throw new HttpError(404, "not_found", "No such user.");
    if (user.erased_at) return { erased: false, sessions: [] as string[], changes: [] as AccountChange[] };
    const emails = await knownEmails(tx, userId, user.email);
    const placeholder = erasedEmail(userId);

    const changes = await closeOpenAccounts(tx, userId, now);
    const sessions = await revokeOtherSessions(tx, userId, null, "user", now);
    await tx`update auth_sessions set ip = null, user_agent = null where user_id = ${userId}`;
    await tx`delete from refresh_tokens where session_id in (select id from auth_sessions where user_id = ${userId})`;
    await tx`delete from email_tokens where user_id = ${userId}`;
    await tx`delete from user_totp where user_id = ${userId}`;
    await tx`delete from recovery_codes where user_id = ${userId}`;
    // Their texts name accounts and amounts; nothing in them is a record we must keep.
    await tx`delete from notifications where user_id = ${userId}`;
    await tx`delete from notification_counters where user_id = ${userId}`;
    await tx`delete from notification_preferences where user_id = ${userId}`;
    // The bytes stay encrypted until the KYC period ends; the name the trader gave the file goes now.
    await tx`update kyc_documents set file_name = '' where user_id = ${userId}`;
    // A submission still waiting for review leaves the staff queue: there is nobody left to verify.
    await tx`
      update kyc_submissions set status = 'rejected', decided_at = ${now}, reason = 'Withdrawn: the account was erased.'
      where user_id = ${userId} and status = 'submitted'`;
    const auditScrubbed = await scrubAuditEntries(tx, userId, emails, placeholder);
    const mailsScrubbed = await scrubMails(tx, emails, placeholder);
    await tx`
      update users set email = ${placeholder}, first_name = '', last_name = '', country = null, time_zone = 'UTC',
                       password_hash = ${NO_PASSWORD}, email_verified_at = null, status = 'closed',
                       erased_at = ${now}, updated_at = ${now}
      where id = ${userId}`;
    await recordAudit(tx, { userId, ip: null, userAgent: null }, "privacy.erased", {
      type: "user",
      id: userId,
      details: {
        sessionsEnded: sessions.length,
        accountsClosed: changes.length,
        auditEntriesScrubbed: auditScrubbed,
        mailsScrubbed,
      },
    });
    return { erased: true, sessions, changes };
  });
  // After commit: open streams of the user end now, in every process, and account watchers see the closing.
  await announceEndedSessions(deps.bus, outcome.sessions);
  await publishChange(deps.bus, ...outcome.changes);
  return {
    erased: outcome.erased,
    sessionsEnded: outcome.sessions.length,
    accountsClosed: outcome.changes.length,
  };
}

/** Every address the user is known under: the current one and those they changed to or asked to change to. */
async function knownEmails(tx: Tx, userId: string, current: string): Promise<string[]> {
  const rows = await tx<{ email: string }[]>`
    select new_email as email from email_tokens where user_id = ${userId} and new_email is not null
    union
    select details->>'newEmail' from audit_log
    where target_type = 'user' and target_id = ${userId}::text and action = 'auth.email_changed'
      and details ? 'newEmail'`;
  return [...new Set([current, ...rows.map((r) => r.email)].map((e) => e.toLowerCase()))];
}

/**
 * Accounts still able to trade are closed (a lifecycle change each, published after commit) so no sync can
 * move them after their owner is gone; passed, failed and closed accounts are records and stay as they are.
 */
async function closeOpenAccounts(tx: Tx, userId: string, now: Date): Promise<AccountChange[]> {
  const rows = await tx<AccountRow[]>`
    update accounts set status = 'closed', state_version = state_version + 1, next_reset_at = null,
                        updated_at = ${now}
    where user_id = ${userId} and status in ${tx(OPEN_STATUSES)}
    returning ${accountColumns(tx)}`;
  return await recordClosures(tx, rows, now);
}
