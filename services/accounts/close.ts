/**
 * Closing a challenge whose purchase was refunded (or charged back): every account it opened stops trading
 * and is no longer evaluated or rolled, whatever phase it reached. Runs in the transaction that records the
 * refund; the caller publishes the returned changes after commit.
 */
import type postgres from "postgres";
import { type AccountChange, recordChange } from "./change_log.ts";
import { accountColumns, type AccountRow, summaryOf } from "./summary.ts";

/**
 * Marks the challenge `cancelled` and its open accounts `closed` (state version +1 each, a `lifecycle`
 * change row each). Accounts already closed are left alone, so a repeated call changes nothing.
 */
export async function closeChallenge(
  tx: postgres.TransactionSql,
  challengeId: string,
  at: Date,
): Promise<AccountChange[]> {
  await tx`
    update challenges set status = 'cancelled', ended_at = greatest(started_at, ${at})
    where id = ${challengeId} and status <> 'cancelled'`;
  const rows = await tx<AccountRow[]>`
    update accounts set status = 'closed', state_version = state_version + 1, next_reset_at = null,
                        updated_at = now()
    where challenge_id = ${challengeId} and status <> 'closed'
    returning ${accountColumns(tx)}`;
  return await recordClosures(tx, rows, at);
}

/**
 * Logs a `lifecycle` change for each account row just set `closed` (its state version already +1) — the one
 * way a closing outside the engine reaches the change log, so streams and the monitor see it after commit.
 */
export async function recordClosures(
  tx: postgres.TransactionSql,
  rows: readonly AccountRow[],
  at: Date,
): Promise<AccountChange[]> {
  const changes: AccountChange[] = [];
  for (const row of rows) {
    const change: AccountChange = {
      accountId: row.id,
      stateVersion: row.state_version,
      previousVersion: row.state_version - 1,
      kind: "lifecycle",
      at: at.toISOString(),
      account: summaryOf(row),
      verdicts: [],
    };
    await recordChange(tx, change);
    changes.push(change);
  }
  return changes;
}
