/**
 * The sync path's two-statement form (issue 15, "Ingest efficiency"): a batch that changes nothing but the
 * account's own figures — no verdict with consequences, no notification, no self-lock to consult — costs one
 * read and one write, each a single autocommitted statement, instead of a transaction of a dozen.
 *
 * - **Read** (`readForSync`): the account row, its row version (`xmin`), which of the batch's event ids it has
 *   already applied and its stored self-locks, in one statement (one snapshot).
 * - **Write** (`writeGroup`): one data-modifying statement (CTEs, write_change.ts `writeChanges`) that
 *   updates the account only if its row version is still the one read — a compare-and-set — and writes the
 *   change log, the events, the trades, the trading days, the equity samples and the owner's active-trader
 *   days only through that update's returned row. The statement takes the batches of several accounts at once
 *   (sync_group.ts groups those ready at the same time), each with its own compare-and-set. Every writer of an
 *   account's engine state (sync, resets, admin actions, payouts, lifecycle) updates the account row, so an
 *   unchanged `xmin` proves that nothing was applied in between: the dedupe of the read still holds and the
 *   events are applied exactly once. A changed row writes nothing (0 rows) and the caller starts over.
 *
 * Trades: a trade opened and closed in one batch is inserted already closed (see `writeChanges`).
 *
 * Not done here (such a batch takes the transaction of `syncLocked`): breaches and pauses, a phase passed,
 * notifications, self-locks that hold, a passed account's successor.
 */
import type { Sql } from "../../db/client.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import type { Advanced } from "./advance.ts";
import { type ChangeAndRow, type LockedAccount, lockedColumns } from "./persist.ts";
import { writeChanges } from "./write_change.ts";
import { equitySampleRows } from "../trading/equity.ts";
import { selfLocksOf, type SelfLocksRow } from "../self_locks/status.ts";
import type { StoredSelfLocks } from "../self_locks/settings.ts";
import { platformOf, type TradePlatform } from "./trade_platform.ts";

/** What one read statement tells the sync path about an account (null: no such account). */
export interface SyncRead {
  account: LockedAccount;
  /** The row version (`xmin`) the write must still find. */
  rowVersion: string;
  /** The batch's event ids the account has already applied. */
  seen: Set<string>;
  selfLocks: StoredSelfLocks;
  /** The platform the account's connector named (services/accounts/trade_platform.ts). */
  platform: TradePlatform | null;
}

/**
 * Reads the account, its row version, the already applied ids among `ids`, its self-locks and its platform:
 * one statement.
 */
export async function readForSync(
  sql: Sql,
  accountId: string,
  ids: readonly string[],
): Promise<SyncRead | null> {
  const [row] = await sql<
    (LockedAccount & {
      row_version: string;
      seen: string[];
      self_locks: SelfLocksRow;
      trade_platform: string | null;
      trade_platform_version: string | null;
    })[]
  >`
    select ${lockedColumns(sql)}, xmin::text as row_version, trade_platform, trade_platform_version,
      array(select event_id from account_events e where e.account_id = a.id and e.event_id = any(${ids}))
        as seen,
      (select json_build_object('daily_loss_limit', l.daily_loss_limit::text,
                                'max_trades_per_day', l.max_trades_per_day,
                                'cooldown_losses', l.cooldown_losses, 'cooldown_minutes', l.cooldown_minutes,
                                'pending', l.pending, 'pending_at', l.pending_at)
       from account_self_locks l where l.account_id = a.id) as self_locks
    from accounts a where a.id = ${accountId}`;
  if (!row) return null;
  const { row_version, seen, self_locks, trade_platform, trade_platform_version, ...account } = row;
  return {
    account,
    rowVersion: row_version,
    seen: new Set(seen),
    selfLocks: selfLocksOf(self_locks),
    platform: platformOf({ trade_platform, trade_platform_version }),
  };
}

/** One evaluated batch to write (see `persistChange`, whose rows this writes the same way). */
export interface FastChange {
  account: LockedAccount;
  rowVersion: string;
  advanced: Advanced;
  events: readonly SyncEvent[];
  /**
   * Set when the batch was evaluated from the account as this process last wrote it, without a read
   * (sync_cache.ts): every event id of the batch, which the write checks were never applied, and it checks
   * too that the account has no self-lock settings — what the read would have found.
   */
  unread?: { ids: readonly string[] };
}

/**
 * Writes each batch of `group` (batches of distinct accounts) in one statement (write_change.ts `writeChanges`),
 * each only if its account row is still at its `rowVersion` (and, for an `unread` batch, none of its ids was
 * applied and the account has no self-lock settings); returns, per batch, the row version the write left, or
 * null when nothing of that batch was written (another writer changed the account meanwhile, or an `unread`
 * batch's check failed). A batch written here applied events, so it makes the account the connector's (the
 * read saw no venue source, and the compare-and-set proves no venue fill came in between:
 * services/accounts/trade_source.ts). Batches with breach samples are refused: a batch with verdicts that have
 * consequences takes the transaction.
 */
export async function writeGroup(
  sql: Sql,
  group: readonly { input: FastChange; written: ChangeAndRow }[],
): Promise<(string | null)[]> {
  if (group.some(({ input }) => equitySampleRows(input.advanced.samples).some((s) => s.breach !== null))) {
    throw new Error("writeGroup: breach samples take the transaction");
  }
  return await writeChanges(sql, group.map(({ input, written }) => ({ ...input, ...written })), {
    claim: "connector",
  });
}
