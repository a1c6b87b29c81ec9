/**
 * Locking an account row, and the shapes of a change to it: the locked row, the row as it reads after a new
 * engine state, the change to log and publish. Writing a change is write_change.ts.
 */
import type postgres from "postgres";
import type { Sql, Tx } from "../../db/client.ts";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import type { AccountState, BreachEvidence } from "../engine/state.ts";
import { isLive, stateToJson } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import type { Advanced } from "./advance.ts";
import type { AccountChange } from "./change_log.ts";
import { ACCOUNT_COLUMNS, type AccountRow, summaryOf } from "./summary.ts";
import type { TradeSource } from "./trade_source.ts";

/** An account row as the live path locks it: the summary columns plus the engine's inputs. */
export interface LockedAccount extends AccountRow {
  plan_version_id: string | null;
  engine_state: unknown;
  /** Who trades the account, fixed by its first trade (services/accounts/trade_source.ts); null: no trade yet. */
  trade_source: TradeSource | null;
}

/**
 * `SELECT … FOR UPDATE` of one account (null when it does not exist). With `skipLocked`, an account another
 * transaction holds reads as null instead of waiting (the scheduler leaves it to whoever holds it).
 */
export async function lockAccount(
  tx: Tx,
  accountId: string,
  opts: { skipLocked?: boolean } = {},
): Promise<LockedAccount | null> {
  const [row] = opts.skipLocked
    ? await tx<LockedAccount[]>`select ${lockedColumns(tx)} from accounts where id = ${accountId}
        for update skip locked`
    : await tx<LockedAccount[]>`select ${lockedColumns(tx)} from accounts where id = ${accountId}
        for update`;
  return row ?? null;
}

/** The columns of `LockedAccount` as a query fragment (the summary's columns and the engine's inputs). */
export function lockedColumns(tx: Sql) {
  return tx([...ACCOUNT_COLUMNS, "plan_version_id", "engine_state", "trade_source"]);
}

/** An applied event as `account_events` keeps it: its id, type and instant, and the body as received. */
export type RecordedEvent =
  | SyncEvent
  | { id: string; type: "withdrawal" | "withdrawal_reversal"; at: string; payoutId: string; amount: string };

/** What a write of an engine state over an account leaves: the row and the change to log and publish. */
export interface ChangeAndRow {
  change: AccountChange;
  /** The row as the write leaves it (`accountRowOf`). */
  row: LockedAccount;
}

/**
 * The row a write of `state` over `account` leaves and the change it logs and publishes, the change's summary
 * built from that row — built once per write, for its statement, its change and what a writer keeps of it
 * (one shape for the engine path, demo-sync's two-statement path and the venue marker's bulk writes).
 */
export function changeAndRow(
  account: LockedAccount,
  state: AccountState,
  verdicts: Advanced["verdicts"],
  now: Date,
  kind: AccountChange["kind"] = "sync",
): ChangeAndRow {
  const row = accountRowOf(account, state, now);
  const change: AccountChange = {
    accountId: account.id,
    stateVersion: state.version,
    previousVersion: account.state_version,
    kind,
    at: new Date(state.lastEventAt).toISOString(),
    account: summaryOf(row),
    verdicts,
  };
  return { change, row };
}

/** The evidence of every breach and pause verdict, in the order they happened. */
export function breachesOf(advanced: Pick<Advanced, "verdicts">): BreachEvidence[] {
  return advanced.verdicts.flatMap((v) => (v.type === "breach" || v.type === "paused" ? [v.evidence] : []));
}

/**
 * The account row as it reads after `state` is written (the scheduler only rolls live accounts); its
 * `engine_state` is not kept here (null: `state` is the engine state).
 */
export function accountRowOf(account: LockedAccount, state: AccountState, now: Date): LockedAccount {
  return {
    ...account,
    engine_state: null,
    status: state.status,
    balance: fromMinor(state.balance),
    equity: fromMinor(state.equity),
    daily_floor: fromMinorOrNull(state.dailyFloor),
    max_floor: fromMinorOrNull(state.maxFloor),
    state_version: state.version,
    last_event_at: new Date(state.lastEventAt),
    // Final accounts are never rolled again: no next reset.
    next_reset_at: isLive(state.status) ? new Date(state.day.closesAt) : null,
    updated_at: now,
  };
}

/**
 * Writes `row` (made by `accountRowOf` from `state`) and `state` itself into the account: every column the
 * engine owns, so the row and its engine state never disagree. Returns the pending query (it may be pipelined).
 */
export function writeAccountRow(tx: Tx, row: AccountRow, state: AccountState) {
  return tx`update accounts set ${accountSet(tx, row, state)} where id = ${row.id}`;
}

/** The `set` list of `writeAccountRow` as a query fragment (the sync path's one-statement write uses it too). */
export function accountSet(sql: Sql, row: AccountRow, state: AccountState) {
  return sql`status = ${row.status}, balance = ${row.balance}, equity = ${row.equity},
      daily_floor = ${row.daily_floor}, max_floor = ${row.max_floor},
      engine_state = ${
    sql.json(stateToJson(state) as postgres.JSONValue)
  }, state_version = ${row.state_version},
      last_event_at = ${row.last_event_at}, next_reset_at = ${row.next_reset_at}, updated_at = ${row.updated_at}`;
}

/** A second close of the same trade in one batch is ignored, as it is across batches (`status = 'open'`). */
export function firstPerTrade<T extends { tradeId: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.tradeId) && !!seen.add(item.tradeId));
}

/** `value` as a JSON parameter. */
export function json(tx: Sql, value: unknown) {
  return tx.json(value as postgres.JSONValue);
}
