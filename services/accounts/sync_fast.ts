/**
 * The sync path's two-statement form (issue 15, "Ingest efficiency"): a batch that changes nothing but the
 * account's own figures — no verdict with consequences, no notification, no self-lock to consult — costs one
 * read and one write, each a single autocommitted statement, instead of a transaction of a dozen.
 *
 * - **Read** (`readForSync`): the account row, its row version (`xmin`), which of the batch's event ids it has
 *   already applied and its stored self-locks, in one statement (one snapshot).
 * - **Write** (`writeGroup`): one data-modifying statement (CTEs) that updates the account only if its row
 *   version is still the one read — a compare-and-set — and writes the change log, the events, the trades,
 *   the trading days, the equity samples and the owner's active-trader days only through that update's
 *   returned row. The statement takes
 *   the batches of several accounts at once (sync_group.ts groups those ready at the same time), each with
 *   its own compare-and-set. Every writer of an
 *   account's engine state (sync, resets, admin actions, payouts, lifecycle) updates the account row, so an
 *   unchanged `xmin` proves that nothing was applied in between: the dedupe of the read still holds and the
 *   events are applied exactly once. A changed row writes nothing (0 rows) and the caller starts over.
 *
 * Trades: statements of one query share one snapshot, so a close cannot update a trade inserted by the same
 * statement. A trade opened and closed in one batch is therefore inserted already closed; closes of trades
 * opened earlier update them as before. The outcome equals the sequential insert-then-update of
 * `persistChange` in every case (an open that meets an existing trade id inserts nothing either way).
 *
 * Not done here (such a batch takes the transaction of `syncLocked`): breaches and pauses, a phase passed,
 * notifications, self-locks that hold, a passed account's successor.
 */
import type { Sql } from "../../db/client.ts";
import { stateToJson } from "../engine/state.ts";
import { isoAt } from "../time.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { type Advanced, dayRows } from "./advance.ts";
import type { AccountChange } from "./change_log.ts";
import { accountRowOf, firstPerTrade, json, type LockedAccount, lockedColumns } from "./persist.ts";
import { equitySampleRows } from "../trading/equity.ts";
import { selfLocksOf, type SelfLocksRow } from "../self_locks/status.ts";
import type { StoredSelfLocks } from "../self_locks/settings.ts";

/** What one read statement tells the sync path about an account (null: no such account). */
export interface SyncRead {
  account: LockedAccount;
  /** The row version (`xmin`) the write must still find. */
  rowVersion: string;
  /** The batch's event ids the account has already applied. */
  seen: Set<string>;
  selfLocks: StoredSelfLocks;
}

/** Reads the account, its row version, the already applied ids among `ids` and its self-locks: one statement. */
export async function readForSync(
  sql: Sql,
  accountId: string,
  ids: readonly string[],
): Promise<SyncRead | null> {
  const [row] = await sql<
    (LockedAccount & { row_version: string; seen: string[]; self_locks: SelfLocksRow })[]
  >`
    select ${lockedColumns(sql)}, xmin::text as row_version,
      array(select event_id from account_events e where e.account_id = a.id and e.event_id = any(${ids}))
        as seen,
      (select json_build_object('daily_loss_limit', l.daily_loss_limit::text,
                                'max_trades_per_day', l.max_trades_per_day,
                                'cooldown_losses', l.cooldown_losses, 'cooldown_minutes', l.cooldown_minutes,
                                'pending', l.pending, 'pending_at', l.pending_at)
       from account_self_locks l where l.account_id = a.id) as self_locks
    from accounts a where a.id = ${accountId}`;
  if (!row) return null;
  const { row_version, seen, self_locks, ...account } = row;
  return { account, rowVersion: row_version, seen: new Set(seen), selfLocks: selfLocksOf(self_locks) };
}

/** One evaluated batch to write (see `persistChange`, whose rows this writes the same way). */
export interface FastChange {
  account: LockedAccount;
  rowVersion: string;
  advanced: Advanced;
  events: readonly SyncEvent[];
  now: Date;
  /**
   * Set when the batch was evaluated from the account as this process last wrote it, without a read
   * (sync_cache.ts): every event id of the batch, which the write checks were never applied, and it checks
   * too that the account has no self-lock settings — what the read would have found.
   */
  unread?: { ids: readonly string[] };
}

/**
 * Writes each batch of `group` (batches of distinct accounts) in one statement, each only if its account row
 * is still at its `rowVersion` (and, for an `unread` batch, none of its ids was applied and the account has no
 * self-lock settings); returns, per batch, the row version the write left, or null when nothing of that batch
 * was written (another writer changed the account meanwhile, or an `unread` batch's check failed). Every row carries its batch's index `k`, and
 * only the `k`s whose account update succeeded are written. Batches with breach samples are refused: a batch
 * with verdicts that have consequences takes the transaction.
 */
export async function writeGroup(
  sql: Sql,
  group: readonly { input: FastChange; change: AccountChange }[],
): Promise<(string | null)[]> {
  const accounts: Record<string, unknown>[] = [];
  const changes: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const opens: Record<string, unknown>[] = [];
  const closes: Record<string, unknown>[] = [];
  const days: Record<string, unknown>[] = [];
  const samples: Record<string, unknown>[] = [];
  group.forEach(({ input, change }, k) => {
    const { account, advanced, now } = input;
    const { state } = advanced;
    const row = accountRowOf(account, state, now);
    accounts.push({
      ...row,
      k,
      rv: input.rowVersion,
      engine_state: stateToJson(state),
      unread: input.unread !== undefined,
      ids: input.unread?.ids ?? null,
    });
    changes.push({ k, v: change.stateVersion, at: change.at, kind: change.kind, payload: change });
    input.events.forEach((e, i) => {
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
    for (const s of equitySampleRows(advanced.samples)) {
      if (s.breach !== null) throw new Error("writeGroup: breach samples take the transaction");
      samples.push({ ...s, k });
    }
  });
  // Only the parts this group has: an empty part would still be planned and run.
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
    // The owner's active-trader days (migration 034: what `note_trader_days` does for the other writers; a
    // day row that is new brings its week and month by a trigger on trader_days).
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
  if (samples.length > 0) {
    parts.push(sql`samples as (
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor)
      select acct.id, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor
      from jsonb_to_recordset(${json(sql, samples)})
        as s(k int, at timestamptz, balance numeric, equity numeric, daily_floor numeric, max_floor numeric)
      join acct using (k)
      on conflict (account_id, second) where breach is null do update set
        at = excluded.at, balance = excluded.balance, equity = excluded.equity,
        daily_floor = excluded.daily_floor, max_floor = excluded.max_floor
      where excluded.at >= equity_samples.at
    )`);
  }
  const withParts = parts.reduce((all, part) => sql`${all}, ${part}`);
  // The same columns `writeAccountRow` writes; a row whose version moved on is not updated. A batch written
  // here applied events, so it makes the account the connector's (the read saw no venue source, and the
  // compare-and-set proves no venue fill came in between: services/accounts/trade_source.ts).
  const [result] = await sql<{ applied: number[]; versions: string[] }[]>`
    with acct as (
      update accounts a set status = u.status, balance = u.balance, equity = u.equity,
        daily_floor = u.daily_floor, max_floor = u.max_floor, engine_state = u.engine_state,
        state_version = u.state_version, last_event_at = u.last_event_at, next_reset_at = u.next_reset_at,
        updated_at = u.updated_at, trade_source = coalesce(a.trade_source, 'connector')
      from jsonb_to_recordset(${json(sql, accounts)})
        as u(k int, id uuid, rv text, status text, balance numeric, equity numeric, daily_floor numeric,
             max_floor numeric, engine_state jsonb, state_version int, last_event_at timestamptz,
             next_reset_at timestamptz, updated_at timestamptz, unread boolean, ids text[])
      -- The ids again as an array: the planner takes a set-returning function for 100 rows and would
      -- otherwise scan the whole accounts table for a group of a few.
      where a.id = any(${group.map((g) => g.input.account.id)}::uuid[]) and a.id = u.id and a.xmin = u.rv::xid
        and (not u.unread or (
          not exists (select from account_events e where e.account_id = a.id and e.event_id = any(u.ids))
          and not exists (select from account_self_locks l where l.account_id = a.id)))
      returning u.k, a.id, a.user_id, a.xmin::text as rv
    ), ${withParts}
    select coalesce(array_agg(k), '{}') as applied, coalesce(array_agg(rv), '{}') as versions from acct`;
  const versions = new Map(result.applied.map((k, i) => [k, result.versions[i]]));
  return group.map((_, k) => versions.get(k) ?? null);
}
