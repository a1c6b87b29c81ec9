/**
 * Locking an account row and writing one evaluated change of it: the account row, its new events and trades,
 * the trading days it touched, breaches and the change-log row — as pipelined statements in the caller's
 * transaction (one round trip, however many events), so a sync batch costs the same few round trips at 1 or
 * 1,000 events.
 */
import type postgres from "postgres";
import type { Sql, Tx } from "../../db/client.ts";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import type { AccountState, BreachEvidence } from "../engine/state.ts";
import { isLive, stateToJson } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { type Advanced, dayRows } from "./advance.ts";
import { type AccountChange, recordChange } from "./change_log.ts";
import { ACCOUNT_COLUMNS, type AccountRow, summaryOf } from "./summary.ts";
import { isoAt } from "../time.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { limitsOf } from "../notifications/derive.ts";
import { writeEquitySamples } from "../trading/equity.ts";
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

interface ChangeToPersist {
  account: LockedAccount;
  advanced: Advanced;
  kind: AccountChange["kind"];
  /**
   * The applied events with their raw bodies, in the order they were applied (none for a reset): sync events,
   * or a payout's ledger record (services/payouts/ledger.ts).
   */
  events: readonly RecordedEvent[];
  now: Date;
}

/**
 * The change a write of `state` over `account` logs and publishes, its summary built from the values written
 * (one shape for the engine path, demo-sync's two-statement path and the venue marker's bulk writes).
 */
export function changeOf(
  account: LockedAccount,
  state: AccountState,
  verdicts: Advanced["verdicts"],
  now: Date,
  kind: AccountChange["kind"] = "sync",
): AccountChange {
  return {
    accountId: account.id,
    stateVersion: state.version,
    previousVersion: account.state_version,
    kind,
    at: new Date(state.lastEventAt).toISOString(),
    account: summaryOf(accountRowOf(account, state, now)),
    verdicts,
  };
}

/**
 * Writes `advanced` (which must have changed the state) and returns the change to publish after commit. The
 * summary is built from the values written rather than read back, which saves a round trip.
 */
export async function persistChange(tx: Tx, input: ChangeToPersist): Promise<AccountChange> {
  const { account, advanced, kind, events, now } = input;
  const { state } = advanced;
  const id = account.id;
  const row = accountRowOf(account, state, now);
  const change = changeOf(account, state, advanced.verdicts, now, kind);
  const breaches = breachesOf(advanced);
  const days = dayRows(advanced.days);
  const closes = firstPerTrade(advanced.closes);
  // Issued together: postgres.js pipelines them on the transaction's connection, in this order (trades are
  // inserted before a close in the same batch updates them).
  // Cached per process (the live path compiled them already): for the 50 % / 80 % limit warnings.
  const rules = account.plan_version_id
    ? (await rulesFor(tx, account.plan_version_id, stageOf(account))).rules
    : null;
  const writes: Promise<unknown>[] = [
    writeAccountRow(tx, row, state),
    recordChange(tx, change, rules ? limitsOf(state, rules) : undefined),
  ];
  const samples = writeEquitySamples(tx, id, advanced.samples);
  if (samples) writes.push(samples);
  if (events.length > 0) {
    const rows = events.map((e, i) => ({
      id: e.id,
      type: e.type,
      at: e.at,
      payload: e,
      v: advanced.versions[i],
    }));
    // The owner's active-trader days (migration 034) from the rows this very statement inserts: one statement,
    // in the same transaction as the events.
    writes.push(tx`
      with written as (
        insert into account_events (account_id, event_id, type, at, payload, state_version)
        select ${id}, e.id, e.type, e.at, e.payload, e.v
        from jsonb_to_recordset(${
      json(tx, rows)
    }) as e(id text, type text, at timestamptz, payload jsonb, v int)
        returning account_id, at
      )
      select note_trader_days(array_agg(account_id), array_agg(at)) from written`);
  }
  if (advanced.opens.length > 0) {
    const rows = advanced.opens.map((o) => ({ ...o, at: isoAt(o.at) }));
    writes.push(tx`
      insert into trades (account_id, external_id, symbol, direction, volume, entry_price, opened_at,
                          opened_while_blocked)
      select ${id}, t."tradeId", t.symbol, t.direction, t.volume, t.price, t.at, t.blocked
      from jsonb_to_recordset(${json(tx, rows)})
        as t("tradeId" text, symbol text, direction text, volume numeric, price numeric, at timestamptz,
             blocked boolean)
      on conflict (account_id, external_id) do nothing`);
  }
  if (closes.length > 0) {
    const rows = closes.map((c) => ({ ...c, at: isoAt(c.at) }));
    writes.push(tx`
      update trades set status = 'closed', exit_price = c.price, pnl = c.pnl, closed_at = c.at
      from jsonb_to_recordset(${json(tx, rows)})
        as c("tradeId" text, price numeric, pnl numeric, at timestamptz)
      where trades.account_id = ${id} and trades.external_id = c."tradeId" and trades.status = 'open'`);
  }
  if (days.length > 0) {
    writes.push(tx`
      insert into daily_stats (account_id, trading_day, opens_at, sod_balance, sod_equity, high_equity,
                               low_equity, close_balance, close_equity, pnl, trades_opened)
      select ${id}, d.trading_day, d.opens_at, d.sod_balance, d.sod_equity, d.high_equity, d.low_equity,
             d.close_balance, d.close_equity, d.pnl, d.trades_opened
      from jsonb_to_recordset(${json(tx, days)})
        as d(trading_day date, opens_at timestamptz, sod_balance numeric, sod_equity numeric,
             high_equity numeric, low_equity numeric, close_balance numeric, close_equity numeric,
             pnl numeric, trades_opened int)
      on conflict (account_id, trading_day) do update set
        high_equity = greatest(daily_stats.high_equity, excluded.high_equity),
        low_equity = least(daily_stats.low_equity, excluded.low_equity),
        close_balance = excluded.close_balance, close_equity = excluded.close_equity, pnl = excluded.pnl,
        trades_opened = daily_stats.trades_opened + excluded.trades_opened`);
  }
  if (breaches.length > 0) {
    const rows = breaches.map((evidence) => ({ ...evidence, evidence }));
    writes.push(tx`
      insert into breaches (account_id, rule, action, at, inputs_hash, evidence)
      select ${id}, b.rule, b.action, b.at, b."inputsHash", b.evidence
      from jsonb_to_recordset(${json(tx, rows)})
        as b(rule text, action text, at timestamptz, "inputsHash" text, evidence jsonb)`);
  }
  await Promise.all(writes);
  return change;
}

/** The evidence of every breach and pause verdict, in the order they happened. */
export function breachesOf(advanced: Pick<Advanced, "verdicts">): BreachEvidence[] {
  return advanced.verdicts.flatMap((v) => (v.type === "breach" || v.type === "paused" ? [v.evidence] : []));
}

/** The account row as it reads after `state` is written (the scheduler only rolls live accounts). */
export function accountRowOf(account: LockedAccount, state: AccountState, now: Date): AccountRow {
  return {
    ...account,
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
