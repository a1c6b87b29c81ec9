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
 *   (nobody changed it since: an order, a reset, another process), else it is left out (`skipped`); so is one
 *   holding one of the marks already: a tick marked twice on one state (two markers at a leader hand-over, a
 *   tick the book took again: tests/venue_mark_twice_test.ts), which the engine path then skips;
 * - **no waiting**: rows another transaction holds (an order being filled) are skipped (`skip locked`) instead
 *   of waited for, and the statement holds its own row locks only while it runs: an order never queues behind
 *   a flush for longer than one statement, and a flush never waits for an order.
 * The caller sends the skipped ones through the engine path (services/venue/engine_path.ts), which locks and
 * re-reads them.
 *
 * What it sends is what differs per account, as one array per column (`unnest`), never a JSON document per
 * row: the engine state as a patch of the keys the marks changed (`stateJsonPatch`, merged by jsonb `||` into
 * the stored state — which the version guard proves is the state the marks were evaluated on), each event's
 * fields shared by the accounts marked at the same tick once per tick, and the change-log row built in SQL
 * from the values written and the account's fixed columns, exactly as `changeAndRow` builds it. A chunk of 50
 * accounts was ~130 KB of JSON that the driver serialized and copied several times on the app's event loop;
 * tests/venue_mark_rows_test.ts holds every row to what `persistChange` writes for the same marks.
 *
 * Notifications are not derived here: the caller routes a mark that derives a notification it has not yet
 * recorded through the engine path (services/notifications/derive.ts keys make a repeat a no-op, so skipping a
 * key already recorded changes nothing).
 */
import type { Sql } from "../../db/client.ts";
import { type Advanced, dayRows } from "../accounts/advance.ts";
import { type ChangeAndRow, changeAndRow, type LockedAccount } from "../accounts/persist.ts";
import { type AccountState, stateJsonPatch, stateToJson } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import { isoAt } from "../time.ts";
import { samplesToWrite } from "../trading/equity.ts";

/** One account's marks: its row and state as they were evaluated on, the fold, and the mark events. */
export interface MarkWrite {
  account: LockedAccount;
  /** The state the marks were evaluated on: the one `account`'s row holds at its `state_version`. */
  state: AccountState;
  advanced: Advanced;
  /** `equity` events (the marks), with their bodies as `account_events` records them. */
  events: readonly SyncEvent[];
}

export interface MarksWritten {
  /** The change of each account written (to publish after the statement), by account id. */
  written: Map<string, ChangeAndRow>;
  /** Accounts left out: changed since, held by another transaction, or holding one of their marks already. */
  skipped: string[];
}

/**
 * `xs` as a PostgreSQL array literal, for a `$n::type[]` parameter (postgres.js passes a string through as
 * it is): its own array serializer quotes every element and escapes it with two regular expressions, which
 * cost as much as the JSON it replaces. Only plain tokens go here — uuids, numbers, decimals, ISO instants
 * and days — which need no quoting; anything else is refused rather than mangled.
 */
export function arrayLiteral(xs: readonly (string | number | null)[]): string {
  let out = "{";
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x === "string" && (!PLAIN_TOKEN.test(x) || x.length === 4 && x.toLowerCase() === "null")) {
      throw new Error(`writeMarks: ${JSON.stringify(x)} is not a plain token`);
    }
    out += (i === 0 ? "" : ",") + (x === null ? "NULL" : x);
  }
  return out + "}";
}
const PLAIN_TOKEN = /^[\w.:+-]+$/;

/** The statement's parameters: one array per column (`n`: the account's 1-based position). */
function columnsOf(writes: readonly MarkWrite[], now: Date) {
  const a = {
    id: [] as string[],
    prev: [] as number[],
    status: [] as string[],
    balance: [] as string[],
    equity: [] as string[],
    dailyFloor: [] as (string | null)[],
    maxFloor: [] as (string | null)[],
    version: [] as number[],
    lastEventAt: [] as string[],
    nextResetAt: [] as (string | null)[],
  };
  /** The new engine states: a patch of the stored one or, at the positions `whole`, the whole state. */
  const states: Record<string, unknown>[] = [];
  const whole: number[] = [];
  const e = {
    n: [] as number[],
    shared: [] as number[],
    at: [] as string[],
    equity: [] as string[],
    balance: [] as string[],
    v: [] as number[],
  };
  /** Each distinct rest of an event (all but at, equity and balance: the tick's), as JSON. */
  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();
  const s = {
    n: [] as number[],
    at: [] as string[],
    balance: [] as string[],
    equity: [] as string[],
    dailyFloor: [] as (string | null)[],
    maxFloor: [] as (string | null)[],
  };
  const d = {
    n: [] as number[],
    day: [] as string[],
    opensAt: [] as string[],
    sodBalance: [] as string[],
    sodEquity: [] as string[],
    high: [] as string[],
    low: [] as string[],
    closeBalance: [] as string[],
    closeEquity: [] as string[],
    pnl: [] as string[],
    trades: [] as number[],
  };
  const built = new Map<string, ChangeAndRow>();
  writes.forEach((w, i) => {
    if (w.advanced.verdicts.length > 0) {
      throw new Error("writeMarks: a mark with verdicts takes the engine path");
    }
    const n = i + 1;
    const { state } = w.advanced;
    const c = changeAndRow(w.account, state, w.advanced.verdicts, now);
    built.set(w.account.id, c);
    const patch = stateJsonPatch(w.state, state);
    if (!patch) whole.push(n);
    states.push(patch ?? stateToJson(state));
    a.id.push(w.account.id);
    a.prev.push(w.account.state_version);
    a.status.push(c.row.status);
    a.balance.push(c.row.balance);
    a.equity.push(c.row.equity);
    a.dailyFloor.push(c.row.daily_floor);
    a.maxFloor.push(c.row.max_floor);
    a.version.push(state.version);
    // The change's `at` and the summary's `lastEventAt` are this same text (changeAndRow, summaryOf).
    a.lastEventAt.push(c.change.at);
    a.nextResetAt.push(c.change.account.nextResetAt);
    w.events.forEach((event, k) => {
      if (event.type !== "equity") throw new Error("writeMarks: only marks (equity events)");
      const { at, equity, balance, ...rest } = event;
      const key = JSON.stringify(rest);
      let index = sharedIndex.get(key);
      if (index === undefined) sharedIndex.set(key, index = shared.push(key));
      e.n.push(n);
      e.shared.push(index);
      e.at.push(at);
      e.equity.push(equity);
      e.balance.push(balance);
      e.v.push(w.advanced.versions[k]);
    });
    for (const sample of samplesToWrite(w.advanced.samples)) {
      if (sample.breach !== null) throw new Error("writeMarks: breach samples take the engine path");
      s.n.push(n);
      s.at.push(isoAt(sample.at));
      s.balance.push(fromMinor(sample.balance));
      s.equity.push(fromMinor(sample.equity));
      s.dailyFloor.push(fromMinorOrNull(sample.dailyFloor));
      s.maxFloor.push(fromMinorOrNull(sample.maxFloor));
    }
    for (const row of dayRows(w.advanced.days)) {
      d.n.push(n);
      d.day.push(row.trading_day as string);
      d.opensAt.push(row.opens_at as string);
      d.sodBalance.push(row.sod_balance as string);
      d.sodEquity.push(row.sod_equity as string);
      d.high.push(row.high_equity as string);
      d.low.push(row.low_equity as string);
      d.closeBalance.push(row.close_balance as string);
      d.closeEquity.push(row.close_equity as string);
      d.pnl.push(row.pnl as string);
      d.trades.push(row.trades_opened as number);
    }
  });
  const literals = <T extends Record<string, readonly (string | number | null)[]>>(columns: T) =>
    Object.fromEntries(Object.entries(columns).map(([k, xs]) => [k, arrayLiteral(xs)])) as {
      [K in keyof T]: string;
    };
  return {
    a: literals(a),
    states: JSON.stringify(states),
    whole: arrayLiteral(whole),
    e: literals(e),
    shared: `[${shared.join(",")}]`,
    s: literals(s),
    d: literals(d),
    built,
  };
}

/**
 * Writes the marks of `writes` (distinct accounts, no verdicts) in one statement; see the module notes.
 * Returns what was written and what was skipped.
 */
export async function writeMarks(sql: Sql, writes: readonly MarkWrite[], now: Date): Promise<MarksWritten> {
  const out: MarksWritten = { written: new Map(), skipped: [] };
  if (writes.length === 0) return out;
  const { a, states, whole, e, shared, s, d, built } = columnsOf(writes, now);
  const nowText = now.toISOString();
  const rows = await sql<{ id: string }[]>`
    with input as materialized (
      select * from unnest(${a.id}::uuid[], ${a.prev}::int[], ${a.status}::text[], ${a.balance}::text[],
                           ${a.equity}::text[], ${a.dailyFloor}::text[], ${a.maxFloor}::text[],
                           ${a.version}::int[], ${a.lastEventAt}::text[], ${a.nextResetAt}::text[])
        with ordinality as a(id, prev, status, balance, equity, daily_floor, max_floor, state_version,
                             last_event_at, next_reset_at, n)
      join jsonb_array_elements(${states}::text::jsonb) with ordinality as st(state, n) using (n)
    ), events as materialized (
      select e.n, t.rest ->> 'id' as id, t.rest, e.at, e.equity, e.balance, e.v
      from unnest(${e.n}::int[], ${e.shared}::int[], ${e.at}::text[], ${e.equity}::text[],
                  ${e.balance}::text[], ${e.v}::int[]) as e(n, shared, at, equity, balance, v)
      join jsonb_array_elements(${shared}::text::jsonb) with ordinality as t(rest, i) on t.i = e.shared
    ), locked as materialized (
      -- An account holding one of its marks already is left out, not a duplicate key failing the statement.
      -- Events are only written with a new state version, so at version prev this snapshot holds them all.
      select acc.id from accounts acc join input a on a.id = acc.id and acc.state_version = a.prev
      where not exists (
        select from events e join account_events x on x.account_id = a.id and x.event_id = e.id where e.n = a.n)
      for update of acc skip locked
    ), upd as (
      -- The stored state is the one the marks were evaluated on (its version is prev): the patch's keys
      -- replace its own.
      update accounts acc set status = a.status, balance = a.balance::numeric, equity = a.equity::numeric,
        daily_floor = a.daily_floor::numeric, max_floor = a.max_floor::numeric,
        engine_state = case when a.n = any(${whole}::int[]) then a.state else acc.engine_state || a.state end,
        state_version = a.state_version, last_event_at = a.last_event_at::timestamptz,
        next_reset_at = a.next_reset_at::timestamptz, updated_at = ${nowText}::timestamptz
      from input a where acc.id = a.id and acc.id in (select id from locked)
      returning a.n, acc.id, acc.user_id, acc.challenge_id, acc.phase, acc.type, acc.currency,
                acc.initial_balance
    ), ev as (
      insert into account_events (account_id, event_id, type, at, payload, state_version)
      select u.id, e.id, e.rest ->> 'type', e.at::timestamptz,
             e.rest || jsonb_build_object('at', e.at, 'equity', e.equity, 'balance', e.balance), e.v
      from events e join upd u on u.n = e.n
      returning account_id, at
    ), noted as (
      -- The owners' active-trader days (migration 034); the final select runs it, once.
      select note_trader_days(array_agg(account_id), array_agg(at)) from ev
    ), ch as (
      -- changeAndRow's change of a state write with no verdicts, its summary (summaryOf) from the values written.
      insert into account_changes (account_id, state_version, at, kind, payload)
      select u.id, a.state_version, a.last_event_at::timestamptz, 'sync', jsonb_build_object(
        'accountId', u.id, 'stateVersion', a.state_version, 'previousVersion', a.prev, 'kind', 'sync',
        'at', a.last_event_at, 'verdicts', '[]'::jsonb,
        'account', jsonb_build_object(
          'id', u.id, 'userId', u.user_id, 'challengeId', u.challenge_id, 'phase', u.phase, 'type', u.type,
          'status', a.status, 'currency', u.currency, 'initialBalance', u.initial_balance::text,
          'balance', a.balance, 'equity', a.equity, 'dailyFloor', a.daily_floor, 'maxFloor', a.max_floor,
          'stateVersion', a.state_version, 'lastEventAt', a.last_event_at, 'nextResetAt', a.next_reset_at,
          'updatedAt', ${nowText}::text))
      from upd u join input a on a.n = u.n
    ), sm as (
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor, breach)
      select u.id, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor, null
      from unnest(${s.n}::int[], ${s.at}::timestamptz[], ${s.balance}::numeric[], ${s.equity}::numeric[],
                  ${s.dailyFloor}::numeric[], ${s.maxFloor}::numeric[])
        as s(n, at, balance, equity, daily_floor, max_floor)
      join upd u on u.n = s.n
      on conflict (account_id, second) where breach is null do update set
        at = excluded.at, balance = excluded.balance, equity = excluded.equity,
        daily_floor = excluded.daily_floor, max_floor = excluded.max_floor
      where excluded.at >= equity_samples.at
    ), ds as (
      insert into daily_stats (account_id, trading_day, opens_at, sod_balance, sod_equity, high_equity,
                               low_equity, close_balance, close_equity, pnl, trades_opened)
      select u.id, d.trading_day, d.opens_at, d.sod_balance, d.sod_equity, d.high_equity, d.low_equity,
             d.close_balance, d.close_equity, d.pnl, d.trades_opened
      from unnest(${d.n}::int[], ${d.day}::date[], ${d.opensAt}::timestamptz[], ${d.sodBalance}::numeric[],
                  ${d.sodEquity}::numeric[], ${d.high}::numeric[], ${d.low}::numeric[],
                  ${d.closeBalance}::numeric[], ${d.closeEquity}::numeric[], ${d.pnl}::numeric[],
                  ${d.trades}::int[])
        as d(n, trading_day, opens_at, sod_balance, sod_equity, high_equity, low_equity, close_balance,
             close_equity, pnl, trades_opened)
      join upd u on u.n = d.n
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
