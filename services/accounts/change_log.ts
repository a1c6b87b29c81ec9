/**
 * The change log of an account: every committed change of an account is a row of `account_changes` (what a
 * stream replays after `Last-Event-ID`) and, after commit, a message on the account's bus channel (what live
 * streams receive). Writers append inside their transaction (`recordChange`, which also adds the
 * notifications the change causes) and publish after commit (`publishChange`); readers read after a version
 * (`changesAfter`).
 */
import type postgres from "postgres";
import type { Sql, Tx } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import type { Verdict } from "../engine/state.ts";
import { log } from "../log.ts";
import { ACCOUNT_CHANGES_CHANNEL, userChannel } from "../bus/channels.ts";
import type { Limits } from "../notifications/derive.ts";
import { recordNotifications } from "../notifications/record.ts";
import { publishNotifications } from "../notifications/store.ts";
import type { PublishedNotification } from "../notifications/types.ts";

export { userChannel };
import type { AccountSummary } from "./summary.ts";

/** One committed change of an account, as stored in `account_changes.payload` and published on the bus. */
export interface AccountChange {
  accountId: string;
  stateVersion: number;
  /**
   * The version this change started from (null for the opening of the account). A batch of n events moves
   * the version by n, so this is what tells a stream that it missed nothing between two changes.
   */
  previousVersion: number | null;
  /** `withdrawal`: a payout's withdrawal or its reversal (money moved by the firm, not a trading result). */
  kind: "sync" | "reset" | "admin" | "lifecycle" | "withdrawal";
  at: string;
  account: AccountSummary;
  verdicts: Verdict[];
  /**
   * Set on the live frames of a venue commit that opened or closed positions (services/venue/engine_path.ts),
   * so a terminal refetches its book then rather than at every mark. Not stored: a client that resumes a
   * stream refetches anyway (it may have missed anything meanwhile).
   */
  book?: true;
}

/** The bus channel of one account's changes. */
export function accountChannel(accountId: string): string {
  return `account:${accountId}`;
}

/** Notifications added with a change, published after it (see `recordChange` and `publishChange`). */
const notificationsOfChange = new WeakMap<AccountChange, PublishedNotification[]>();

/**
 * Appends a change to the account's log (what SSE replays after `Last-Event-ID`) and adds the notifications
 * it causes (services/notifications/derive.ts) in the same transaction; `publishChange` publishes them with
 * the change. `limits` (the engine's path passes them) lets it warn at 50 % / 80 % of a loss limit.
 */
export async function recordChange(tx: Tx, change: AccountChange, limits?: Limits): Promise<void> {
  await Promise.all([
    tx`
      insert into account_changes (account_id, state_version, at, kind, payload)
      values (${change.accountId}, ${change.stateVersion}, ${change.at}, ${change.kind},
              ${tx.json(change as unknown as postgres.JSONValue)})`,
    recordChangeNotifications(tx, change, limits),
  ]);
}

/**
 * The notifications part of `recordChange`, for a writer that inserts the change's log row itself
 * (write_change.ts `writeChanges`); `publishChange` publishes them with the change.
 */
export async function recordChangeNotifications(
  tx: Tx,
  change: AccountChange,
  limits?: Limits,
): Promise<void> {
  const notifications = await recordNotifications(tx, change, limits);
  if (notifications.length > 0) notificationsOfChange.set(change, notifications);
}

/**
 * Publishes committed changes, on the account's channel, on its owner's and on the channel of all account
 * changes (the staff risk monitor's). Best-effort (the bus is
 * at-most-once; SSE resumes from the database), so a broker outage is logged rather than failing a request
 * whose change is already committed.
 */
export async function publishChange(bus: Bus, ...changes: AccountChange[]): Promise<void> {
  // One command per change for its three channels (in this order, as before): one encoding, one round trip.
  await Promise.all(
    changes.map((change) =>
      bus.publishAll(
        [accountChannel(change.accountId), userChannel(change.account.userId), ACCOUNT_CHANGES_CHANNEL],
        change,
      ).catch((error) =>
        log.error("publishing an account change failed", {
          scope: "accounts",
          accountId: change.accountId,
          stateVersion: change.stateVersion,
          error,
        })
      )
    ),
  );
  // After the changes: a notification arrives behind the change it is about.
  for (const change of changes) {
    const added = notificationsOfChange.get(change);
    if (added) await publishNotifications(bus, change.account.userId, added);
  }
}

/** One row of the log: the version a change moved the account to, and the change as it was logged. */
export interface LoggedChange {
  stateVersion: number;
  /** The `AccountChange` JSON (older rows may lack fields: read `previousVersion` through `previousOf`). */
  payload: unknown;
}

/** The logged changes of an account after version `after`, oldest first, at most `limit`. */
export async function changesAfter(
  sql: Sql,
  accountId: string,
  after: number,
  limit: number,
): Promise<LoggedChange[]> {
  const rows = await sql<{ state_version: number; payload: unknown }[]>`
    select state_version, payload from account_changes
    where account_id = ${accountId} and state_version > ${after}
    order by state_version
    limit ${limit}`;
  return rows.map((row) => ({ stateVersion: row.state_version, payload: row.payload }));
}

/**
 * The version a change started from: its `previousVersion` when it carries one (null: the account's
 * opening, which nothing precedes), else `version - 1` (changes logged before the field existed).
 */
export function previousOf(version: number, previousVersion: unknown): number {
  if (previousVersion === null) return -1;
  return typeof previousVersion === "number" && Number.isSafeInteger(previousVersion) &&
      previousVersion < version
    ? previousVersion
    : version - 1;
}
