/**
 * Reading and changing an account's self-locks as its owner. Owner only: staff do not set a trader's own
 * limits, and anyone else gets the same 404 as for an unknown id (a refused attempt on a real account is
 * audited, like every other authorization failure). Every change is audited with the values before, the
 * request and the result, in the transaction that makes it.
 */
import type { Db, Sql } from "../../db/client.ts";
import { NotFound } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { nextResetAfter } from "../engine/trading_day.ts";
import { effectiveAt, planChange, type SelfLockSettings } from "./settings.ts";
import { resetOf, type SelfLockStatus, selfLockStatus, storedSelfLocks } from "./status.ts";

/**
 * The account if `userId` owns it; NotFound otherwise. Pass the actor to audit a refused attempt on an
 * account that exists.
 */
export async function assertOwner(sql: Sql, userId: string, actor: Actor, accountId: string): Promise<void> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const [row] = await sql<{ user_id: string }[]>`select user_id from accounts where id = ${accountId}`;
  if (row?.user_id === userId) return;
  if (row) {
    await recordAudit(sql, actor, "authz.denied", {
      type: "account",
      id: accountId,
      details: { reason: "not_owner", what: "self_locks" },
    });
  }
  throw new NotFound("No such account.");
}

/** The owner's view of the account's self-locks at `now`. */
export async function ownSelfLocks(
  sql: Sql,
  userId: string,
  actor: Actor,
  accountId: string,
  now: Date,
): Promise<SelfLockStatus> {
  await assertOwner(sql, userId, actor, accountId);
  const status = await selfLockStatus(sql, accountId, now);
  if (!status) throw new NotFound("No such account.");
  return status;
}

/**
 * Replaces the owner's self-locks with `requested` at `now`: tighter values apply at once, looser ones wait
 * for the next reset (services/self_locks/settings.ts). Returns the status right after.
 */
export async function updateSelfLocks(
  db: Db,
  userId: string,
  actor: Actor,
  accountId: string,
  requested: SelfLockSettings,
  now: Date,
): Promise<SelfLockStatus> {
  return await db.tx(async (tx) => {
    await assertOwner(tx, userId, actor, accountId);
    // The row lock serialises two concurrent changes: each plans against what the other committed.
    await tx`insert into account_self_locks (account_id) values (${accountId}) on conflict do nothing`;
    await tx`select 1 from account_self_locks where account_id = ${accountId} for update`;
    const [account] = await tx<{ type: string; phase: number | null; plan_version_id: string | null }[]>`
      select type, phase, plan_version_id from accounts where id = ${accountId}`;
    const reset = await resetOf(tx, account);
    const before = effectiveAt(await storedSelfLocks(tx, accountId), now);
    const after = planChange(before, requested, nextResetAfter(now, reset));
    const s = after.settings;
    await tx`
      update account_self_locks set
        daily_loss_limit = ${s.dailyLossLimit}, max_trades_per_day = ${s.maxTradesPerDay},
        cooldown_losses = ${s.cooldownLosses}, cooldown_minutes = ${s.cooldownMinutes},
        pending = ${after.pending ? tx.json(after.pending) : null},
        pending_at = ${after.pendingAt === null ? null : new Date(after.pendingAt)}, updated_at = ${now}
      where account_id = ${accountId}`;
    await recordAudit(tx, actor, "account.self_locks_changed", {
      type: "account",
      id: accountId,
      details: {
        before: before.settings,
        requested,
        after: s,
        pending: after.pending,
        pendingAt: after.pendingAt === null ? null : new Date(after.pendingAt).toISOString(),
      },
    });
    const status = await selfLockStatus(tx, accountId, now);
    if (!status) throw new NotFound("No such account.");
    return status;
  });
}
