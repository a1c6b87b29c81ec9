/**
 * Writing one evaluated change of an account: its row, its new events and trades, the trading days it touched,
 * equity samples, breaches and the change-log row — as one data-modifying statement (`writeChanges`, which
 * demo-sync's two-statement path writes with too; in place of up to 8 pipelined statements, it took 0.3–0.4 ms
 * off a ~6 ms venue market order, issue #14), so a sync batch or a venue order costs the same few round trips
 * at 1 or 1,000 events.
 */
import type { Sql, Tx } from "../../db/client.ts";
import { stateToJson } from "../engine/state.ts";
import { type Advanced, dayRows } from "./advance.ts";
import { type AccountChange, recordChangeNotifications } from "./change_log.ts";
import {
  breachesOf,
  type ChangeAndRow,
  changeAndRow,
  firstPerTrade,
  json,
  type LockedAccount,
  type RecordedEvent,
} from "./persist.ts";
import { isoAt } from "../time.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { limitsOf } from "../notifications/derive.ts";
import { equitySampleRows } from "../trading/equity.ts";
import type { TradeSource } from "./trade_source.ts";

export interface ChangeToPersist {
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
 * Writes `advanced` (which must have changed the state) and returns the change to publish after commit. The
 * summary is built from the values written rather than read back, which saves a round trip. Every row of the
 * change is one statement (`writeChanges`, without a compare-and-set: the caller holds the account's lock),
 * sent beside the notifications it causes.
 */
export async function persistChange(tx: Tx, input: ChangeToPersist): Promise<AccountChange> {
  const { account, advanced, kind, events, now } = input;
  const { state } = advanced;
  const { change, row } = changeAndRow(account, state, advanced.verdicts, now, kind);
  // Cached per process (the live path compiled them already): for the 50 % / 80 % limit warnings.
  const rules = account.plan_version_id
    ? (await rulesFor(tx, account.plan_version_id, stageOf(account))).rules
    : null;
  const [[written]] = await Promise.all([
    writeChanges(tx, [{ account, advanced, events, change, row }]),
    recordChangeNotifications(tx, change, rules ? limitsOf(state, rules) : undefined),
  ]);
  if (!written) throw new Error(`persistChange: the locked account ${account.id} was not written`);
  return change;
}

/** One evaluated change for `writeChanges`, with the row and change it writes (`changeAndRow`). */
export interface ChangeRows extends ChangeAndRow {
  account: LockedAccount;
  advanced: Advanced;
  /** The applied events with their raw bodies, in the order they were applied (see `ChangeToPersist`). */
  events: readonly RecordedEvent[];
  /** Written only if the account row is still at this version (`xmin`); absent: the caller holds its lock. */
  rowVersion?: string;
  /**
   * Evaluated without a read (services/accounts/sync_cache.ts): written only if none of `ids` was applied and
   * the account has no self-lock settings (what the read would have found).
   */
  unread?: { ids: readonly string[] };
}

/**
 * Writes the changes of distinct accounts in one data-modifying statement (CTEs): each account's row (every
 * column the engine owns, as `writeAccountRow`), its change-log row, events, the owner's active-trader days
 * (migration 034), trades, trading days, equity samples and breaches — each only through its account's
 * returned update, so an account whose row moved on from `rowVersion` (or whose `unread` check fails) writes
 * nothing. Returns, per item, the row version the write left (`xmin`), or null when it wrote nothing. `claim`: the trade source an account without one takes (demo-sync's connector:
 * services/accounts/trade_source.ts).
 *
 * Trades: the statement's parts share one snapshot, so a close cannot update a trade inserted by the same
 * statement. A trade opened and closed in one change is therefore inserted already closed; closes of trades
 * opened earlier update them. The outcome equals a sequential insert-then-update in every case (an open
 * that meets an existing trade id inserts nothing either way).
 */
export async function writeChanges(
  sql: Sql,
  items: readonly ChangeRows[],
  opts: { claim?: TradeSource } = {},
): Promise<(string | null)[]> {
  const accounts: Record<string, unknown>[] = [];
  const changes: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const opens: Record<string, unknown>[] = [];
  const closes: Record<string, unknown>[] = [];
  const days: Record<string, unknown>[] = [];
  const samples: Record<string, unknown>[] = [];
  const breaches: Record<string, unknown>[] = [];
  items.forEach(({ advanced, events: applied, change, row, rowVersion, unread }, k) => {
    const { state } = advanced;
    accounts.push({
      ...row,
      k,
      rv: rowVersion ?? null,
      engine_state: stateToJson(state),
      unread: unread !== undefined,
      ids: unread?.ids ?? null,
    });
    changes.push({ k, v: change.stateVersion, at: change.at, kind: change.kind, payload: change });
    applied.forEach((e, i) => {
      events.push({ k, id: e.id, type: e.type, at: e.at, payload: e, v: advanced.versions[i] });
    });
    const first = firstPerTrade(advanced.closes);
    const closeOf = new Map(first.map((c) => [c.tradeId, c]));
    for (const o of advanced.opens) {
      const c = closeOf.get(o.tradeId);
      opens.push({
        ...o,
        k,
        at: isoAt(o.at),
        exit: c?.price ?? null,
        pnl: c?.pnl ?? null,
        closed: c ? isoAt(c.at) : null,
      });
    }
    for (const c of first) closes.push({ ...c, k, at: isoAt(c.at) });
    for (const d of dayRows(advanced.days)) days.push({ ...d, k });
    for (const s of equitySampleRows(advanced.samples)) samples.push({ ...s, k });
    for (const evidence of breachesOf(advanced)) breaches.push({ ...evidence, evidence, k });
  });
  // Only the parts these changes have: an empty part would still be planned and run.
  const parts = [
    sql`change as (
      insert into account_changes (account_id, state_version, at, kind, payload)
      select acct.id, c.v, c.at, c.kind, c.payload
      from jsonb_to_recordset(${
      json(sql, changes)
    }) as c(k int, v int, at timestamptz, kind text, payload jsonb)
      join acct using (k)
    )`,
  ];
  if (events.length > 0) {
    parts.push(sql`applied_events as (
      insert into account_events (account_id, event_id, type, at, payload, state_version)
      select acct.id, e.id, e.type, e.at, e.payload, e.v
      from jsonb_to_recordset(${json(sql, events)})
        as e(k int, id text, type text, at timestamptz, payload jsonb, v int)
      join acct using (k)
      returning account_id, at
    )`);
    // The owner's active-trader days (migration 034: what `note_trader_days` does for the mark writer; a day
    // row that is new brings its week and month by a trigger on trader_days).
    parts.push(sql`trader_day as (
      insert into trader_days (day, user_id)
      select distinct (e.at at time zone 'UTC')::date, acct.user_id
      from applied_events e join acct on acct.id = e.account_id
      on conflict do nothing
    )`);
  }
  if (opens.length > 0) {
    parts.push(sql`opened as (
      insert into trades (account_id, external_id, symbol, direction, volume, entry_price, opened_at,
                          opened_while_blocked, status, exit_price, pnl, closed_at)
      select acct.id, t."tradeId", t.symbol, t.direction, t.volume, t.price, t.at, t.blocked,
             case when t.closed is null then 'open' else 'closed' end, t.exit, t.pnl, t.closed
      from jsonb_to_recordset(${json(sql, opens)})
        as t(k int, "tradeId" text, symbol text, direction text, volume numeric, price numeric, at timestamptz,
             blocked boolean, exit numeric, pnl numeric, closed timestamptz)
      join acct using (k)
      on conflict (account_id, external_id) do nothing
    )`);
  }
  if (closes.length > 0) {
    parts.push(sql`closed as (
      update trades set status = 'closed', exit_price = c.price, pnl = c.pnl, closed_at = c.at
      from jsonb_to_recordset(${json(sql, closes)})
        as c(k int, "tradeId" text, price numeric, pnl numeric, at timestamptz)
      join acct using (k)
      where trades.account_id = acct.id and trades.external_id = c."tradeId" and trades.status = 'open'
    )`);
  }
  if (days.length > 0) {
    parts.push(sql`days as (
      insert into daily_stats (account_id, trading_day, opens_at, sod_balance, sod_equity, high_equity,
                               low_equity, close_balance, close_equity, pnl, trades_opened)
      select acct.id, d.trading_day, d.opens_at, d.sod_balance, d.sod_equity, d.high_equity, d.low_equity,
             d.close_balance, d.close_equity, d.pnl, d.trades_opened
      from jsonb_to_recordset(${json(sql, days)})
        as d(k int, trading_day date, opens_at timestamptz, sod_balance numeric, sod_equity numeric,
             high_equity numeric, low_equity numeric, close_balance numeric, close_equity numeric,
             pnl numeric, trades_opened int)
      join acct using (k)
      on conflict (account_id, trading_day) do update set
        high_equity = greatest(daily_stats.high_equity, excluded.high_equity),
        low_equity = least(daily_stats.low_equity, excluded.low_equity),
        close_balance = excluded.close_balance, close_equity = excluded.close_equity, pnl = excluded.pnl,
        trades_opened = daily_stats.trades_opened + excluded.trades_opened
    )`);
  }
  const regular = samples.filter((s) => s.breach === null);
  if (regular.length > 0) {
    // Keyed by the second: the latest sample of a second stays.
    parts.push(sql`samples as (
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor)
      select acct.id, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor
      from jsonb_to_recordset(${json(sql, regular)})
        as s(k int, at timestamptz, balance numeric, equity numeric, daily_floor numeric, max_floor numeric)
      join acct using (k)
      on conflict (account_id, second) where breach is null do update set
        at = excluded.at, balance = excluded.balance, equity = excluded.equity,
        daily_floor = excluded.daily_floor, max_floor = excluded.max_floor
      where excluded.at >= equity_samples.at
    )`);
  }
  const evidence = samples.filter((s) => s.breach !== null);
  if (evidence.length > 0) {
    // A breach's sample always stays (not keyed by the second).
    parts.push(sql`breach_samples as (
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor, breach)
      select acct.id, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor,
             s.breach
      from jsonb_to_recordset(${json(sql, evidence)})
        as s(k int, at timestamptz, balance numeric, equity numeric, daily_floor numeric, max_floor numeric,
             breach text)
      join acct using (k)
    )`);
  }
  if (breaches.length > 0) {
    parts.push(sql`breach_rows as (
      insert into breaches (account_id, rule, action, at, inputs_hash, evidence)
      select acct.id, b.rule, b.action, b.at, b."inputsHash", b.evidence
      from jsonb_to_recordset(${json(sql, breaches)})
        as b(k int, rule text, action text, at timestamptz, "inputsHash" text, evidence jsonb)
      join acct using (k)
    )`);
  }
  const withParts = parts.reduce((all, part) => sql`${all}, ${part}`);
  // The same columns `writeAccountRow` writes; a row whose version moved on is not updated.
  const [result] = await sql<{ applied: number[]; versions: string[] }[]>`
    with acct as (
      update accounts a set status = u.status, balance = u.balance, equity = u.equity,
        daily_floor = u.daily_floor, max_floor = u.max_floor, engine_state = u.engine_state,
        state_version = u.state_version, last_event_at = u.last_event_at, next_reset_at = u.next_reset_at,
        updated_at = u.updated_at, trade_source = coalesce(a.trade_source, ${opts.claim ?? null})
      from jsonb_to_recordset(${json(sql, accounts)})
        as u(k int, id uuid, rv text, status text, balance numeric, equity numeric, daily_floor numeric,
             max_floor numeric, engine_state jsonb, state_version int, last_event_at timestamptz,
             next_reset_at timestamptz, updated_at timestamptz, unread boolean, ids text[])
      -- The ids again as an array: the planner takes a set-returning function for 100 rows and would
      -- otherwise scan the whole accounts table for a group of a few.
      where a.id = any(${items.map((i) => i.account.id)}::uuid[]) and a.id = u.id
        and (u.rv is null or a.xmin = u.rv::xid)
        and (not u.unread or (
          not exists (select from account_events e where e.account_id = a.id and e.event_id = any(u.ids))
          and not exists (select from account_self_locks l where l.account_id = a.id)))
      returning u.k, a.id, a.user_id, a.xmin::text as rv
    ), ${withParts}
    select coalesce(array_agg(k), '{}') as applied, coalesce(array_agg(rv), '{}') as versions from acct`;
  const versions = new Map(result.applied.map((k, i) => [k, result.versions[i]]));
  return items.map((_, k) => versions.get(k) ?? null);
}
