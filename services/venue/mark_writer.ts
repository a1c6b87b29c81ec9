/**
 * Writing plain equity marks of many accounts in ONE statement (the marker's flush and its new high-water
 * marks, services/venue/marker.ts). A plain mark is one the engine evaluated without a verdict: it only moves
 * equity (and maybe the high-water mark and the trailing floor). Per account it writes exactly what the engine
 * path writes for such a change (services/accounts/write_change.ts `persistChange`): the account row and engine
 * state, the events, the change-log row, the equity sample (one per second, the later one wins) and the day's
 * statistics — as multi-row inserts in data-modifying CTEs, so 200 accounts cost one round trip instead of the
 * engine path's locked transaction each.
 *
 * Two guards keep it the engine path's equal:
 * - **version**: an account is written only if its `state_version` is still the one the mark was evaluated on
 *   (nobody changed it since: an order, a reset, another process), else it is left out (`skipped`);
 * - **no waiting**: rows another transaction holds (an order being filled) are skipped (`skip locked`) instead
 *   of waited for, and the statement holds its own row locks only while it runs: an order never queues behind
 *   a flush for longer than one statement, and a flush never waits for an order.
 * The caller sends the skipped ones through the engine path (services/venue/engine_path.ts), which locks and
 * re-reads them.
 *
 * Notifications are not derived here: the caller routes a mark that derives a notification it has not yet
 * recorded through the engine path (services/notifications/derive.ts keys make a repeat a no-op, so skipping a
 * key already recorded changes nothing).
 */
import type postgres from "postgres";
import type { Sql } from "../../db/client.ts";
import { type Advanced, dayRows } from "../accounts/advance.ts";
import type { AccountChange } from "../accounts/change_log.ts";
import { accountRowOf, changeOf, type LockedAccount } from "../accounts/persist.ts";
import { stateToJson } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import { isoAt } from "../time.ts";
import { samplesToWrite } from "../trading/equity.ts";

/** One account's marks: its row as of the state they were evaluated on, the fold, and the mark events. */
export interface MarkWrite {
  account: LockedAccount;
  advanced: Advanced;
  events: readonly SyncEvent[];
}

export interface MarksWritten {
  /** The change of each account written (to publish after the statement), by account id. */
  written: Map<string, { change: AccountChange; row: LockedAccount }>;
  /** Accounts left out: changed since, or held by another transaction. */
  skipped: string[];
}

/** The change `persistChange` would log for `w`, and the account row it writes. */
function changeAndRow(w: MarkWrite, now: Date) {
  const { state, verdicts } = w.advanced;
  const row = accountRowOf(w.account, state, now);
  const change = changeOf(w.account, state, verdicts, now);
  return {
    change,
    row: {
      ...row,
      plan_version_id: w.account.plan_version_id,
      engine_state: null,
      trade_source: w.account.trade_source,
    },
  };
}

/**
 * Writes the marks of `writes` (distinct accounts, no verdicts) in one statement; see the module notes.
 * Returns what was written and what was skipped.
 */
export async function writeMarks(sql: Sql, writes: readonly MarkWrite[], now: Date): Promise<MarksWritten> {
  const out: MarksWritten = { written: new Map(), skipped: [] };
  if (writes.length === 0) return out;
  const accounts = [];
  const events: Record<string, unknown>[] = [];
  const changes = [];
  const samples = [];
  const days = [];
  const built = new Map<string, ReturnType<typeof changeAndRow>>();
  for (const w of writes) {
    if (w.advanced.verdicts.length > 0) {
      throw new Error("writeMarks: a mark with verdicts takes the engine path");
    }
    const id = w.account.id;
    const { state } = w.advanced;
    const c = changeAndRow(w, now);
    built.set(id, c);
    accounts.push({
      id,
      prev: w.account.state_version,
      status: c.row.status,
      balance: c.row.balance,
      equity: c.row.equity,
      daily_floor: c.row.daily_floor,
      max_floor: c.row.max_floor,
      engine_state: stateToJson(state),
      state_version: state.version,
      last_event_at: isoAt(state.lastEventAt),
      next_reset_at: c.row.next_reset_at && c.row.next_reset_at.toISOString(),
    });
    w.events.forEach((e, i) =>
      events.push({ account_id: id, id: e.id, type: e.type, at: e.at, payload: e, v: w.advanced.versions[i] })
    );
    changes.push({ account_id: id, state_version: state.version, at: c.change.at, payload: c.change });
    for (const s of samplesToWrite(w.advanced.samples)) {
      samples.push({
        account_id: id,
        at: isoAt(s.at),
        balance: fromMinor(s.balance),
        equity: fromMinor(s.equity),
        daily_floor: fromMinorOrNull(s.dailyFloor),
        max_floor: fromMinorOrNull(s.maxFloor),
      });
    }
    for (const d of dayRows(w.advanced.days)) days.push({ account_id: id, ...d });
  }
  const json = (v: unknown) => sql.json(v as postgres.JSONValue);
  const rows = await sql<{ id: string }[]>`
    with input as materialized (
      select * from jsonb_to_recordset(${json(accounts)})
        as a(id uuid, prev int, status text, balance numeric, equity numeric, daily_floor numeric,
             max_floor numeric, engine_state jsonb, state_version int, last_event_at timestamptz,
             next_reset_at timestamptz)
    ), locked as materialized (
      select acc.id from accounts acc join input a on a.id = acc.id and acc.state_version = a.prev
      for update of acc skip locked
    ), upd as (
      update accounts acc set status = a.status, balance = a.balance, equity = a.equity,
        daily_floor = a.daily_floor, max_floor = a.max_floor, engine_state = a.engine_state,
        state_version = a.state_version, last_event_at = a.last_event_at, next_reset_at = a.next_reset_at,
        updated_at = ${now}
      from input a where acc.id = a.id and acc.id in (select id from locked)
      returning acc.id
    ), ev as (
      insert into account_events (account_id, event_id, type, at, payload, state_version)
      select e.account_id, e.id, e.type, e.at, e.payload, e.v
      from jsonb_to_recordset(${json(events)})
        as e(account_id uuid, id text, type text, at timestamptz, payload jsonb, v int)
      where e.account_id in (select id from upd)
      returning account_id, at
    ), noted as (
      -- The owners' active-trader days (migration 034); the final select runs it, once.
      select note_trader_days(array_agg(account_id), array_agg(at)) from ev
    ), ch as (
      insert into account_changes (account_id, state_version, at, kind, payload)
      select c.account_id, c.state_version, c.at, 'sync', c.payload
      from jsonb_to_recordset(${json(changes)})
        as c(account_id uuid, state_version int, at timestamptz, payload jsonb)
      where c.account_id in (select id from upd)
    ), sm as (
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor, breach)
      select s.account_id, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor,
             null
      from jsonb_to_recordset(${json(samples)})
        as s(account_id uuid, at timestamptz, balance numeric, equity numeric, daily_floor numeric,
             max_floor numeric)
      where s.account_id in (select id from upd)
      on conflict (account_id, second) where breach is null do update set
        at = excluded.at, balance = excluded.balance, equity = excluded.equity,
        daily_floor = excluded.daily_floor, max_floor = excluded.max_floor
      where excluded.at >= equity_samples.at
    ), ds as (
      insert into daily_stats (account_id, trading_day, opens_at, sod_balance, sod_equity, high_equity,
                               low_equity, close_balance, close_equity, pnl, trades_opened)
      select d.account_id, d.trading_day, d.opens_at, d.sod_balance, d.sod_equity, d.high_equity,
             d.low_equity, d.close_balance, d.close_equity, d.pnl, d.trades_opened
      from jsonb_to_recordset(${json(days)})
        as d(account_id uuid, trading_day date, opens_at timestamptz, sod_balance numeric,
             sod_equity numeric, high_equity numeric, low_equity numeric, close_balance numeric,
             close_equity numeric, pnl numeric, trades_opened int)
      where d.account_id in (select id from upd)
      on conflict (account_id, trading_day) do update set
        high_equity = greatest(daily_stats.high_equity, excluded.high_equity),
        low_equity = least(daily_stats.low_equity, excluded.low_equity),
        close_balance = excluded.close_balance, close_equity = excluded.close_equity, pnl = excluded.pnl,
        trades_opened = daily_stats.trades_opened + excluded.trades_opened
    )
    select id from upd where exists (select from noted)`;
  const done = new Set(rows.map((r) => r.id));
  for (const w of writes) {
    const id = w.account.id;
    if (done.has(id)) out.written.set(id, built.get(id)!);
    else out.skipped.push(id);
  }
  return out;
}
