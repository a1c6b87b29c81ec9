/**
 * Whether an account's self-locks hold at an instant, and the figures they are judged on (DESIGN §3.5).
 *
 * - **Daily loss limit**: the day's loss is the start-of-day balance minus equity (realized today plus the
 *   unrealized P&L of open positions, as the engine's day state has them). It is judged on the day's worst
 *   value (`daily_stats.low_equity`), so a limit reached and then recovered still holds: reached once, the
 *   lock lasts until the next reset.
 * - **Max trades per day**: trades opened in the current trading day, whose boundaries are the engine's
 *   (the plan's reset time in its zone, services/engine/trading_day.ts); holds until the next reset.
 * - **Cooldown**: N consecutive losing closed trades (in close order; a trade closed at zero or better ends
 *   the streak) lock for M minutes from the Nth one's close. A streak counts afresh after each cooldown, so
 *   2N losses in a row lock twice, not on every loss after the Nth.
 *
 * Everything is read at `now` (injectable) from what the engine path persisted: the lock is the server's, so a
 * connector that ignores it still sees its orders refused by the venue.
 */
import type { Sql } from "../../db/client.ts";
import { formatMoney, fromMinor, toMinor } from "../money.ts";
import type { Reset } from "../plans/definition.ts";
import { rulesFor, stageOf } from "../accounts/rules.ts";
import { tradingDay } from "../engine/trading_day.ts";
import { effectiveAt, minutesInWords, NO_SELF_LOCKS, type StoredSelfLocks } from "./settings.ts";

export type LockKind = "daily_loss" | "max_trades" | "cooldown";

/** A lock that holds: why, and when it lifts (epoch ms). */
export interface HeldLock {
  kind: LockKind;
  reason: string;
  until: number;
}

export interface SelfLockStatus {
  accountId: string;
  currency: string;
  reset: Reset;
  /** The settings in force at `now` (a due pending loosening folded in) and what still waits. */
  stored: StoredSelfLocks;
  /** The trading day containing `now`. */
  day: { key: string; opensAt: number; closesAt: number };
  /** The day's worst loss so far (negative: the day never went below its start), decimal string. */
  worstLossToday: string;
  tradesToday: number;
  /** Consecutive losing closed trades up to `now` (since the last non-losing one). */
  losingStreak: number;
  held: HeldLock[];
}

/** Accounts without a plan (none today) reset at midnight UTC. */
const UTC_MIDNIGHT: Reset = { timeZone: "UTC", time: "00:00" } as Reset;

interface AccountRow {
  id: string;
  currency: string;
  type: string;
  phase: number | null;
  plan_version_id: string | null;
  balance: string;
  equity: string;
  engine_state: { balance: string; equity: string; day: { key: string; sodBalance: string } } | null;
}

/** The account's daily reset (its plan's), for trading-day boundaries. */
export async function resetOf(sql: Sql, account: Pick<AccountRow, "plan_version_id" | "type" | "phase">) {
  if (!account.plan_version_id) return UTC_MIDNIGHT;
  return (await rulesFor(sql, account.plan_version_id, stageOf(account))).rules.reset;
}

/** A stored `account_self_locks` row as selected by `storedSelfLocks` (and by the sync path's one read). */
export interface SelfLocksRow {
  daily_loss_limit: string | null;
  max_trades_per_day: number | null;
  cooldown_losses: number | null;
  cooldown_minutes: number | null;
  pending: StoredSelfLocks["pending"];
  /** A Date from a column, an ISO string when the row was read as JSON. */
  pending_at: Date | string | null;
}

/** Reads the stored self-locks of an account (none → all off). */
export async function storedSelfLocks(sql: Sql, accountId: string): Promise<StoredSelfLocks> {
  const [row] = await sql<SelfLocksRow[]>`
    select daily_loss_limit, max_trades_per_day, cooldown_losses, cooldown_minutes, pending, pending_at
    from account_self_locks where account_id = ${accountId}`;
  return selfLocksOf(row);
}

/** The stored self-locks of a row (none → all off). */
export function selfLocksOf(row: SelfLocksRow | null | undefined): StoredSelfLocks {
  if (!row) return { settings: { ...NO_SELF_LOCKS }, pending: null, pendingAt: null };
  return {
    settings: {
      dailyLossLimit: row.daily_loss_limit === null ? null : String(row.daily_loss_limit),
      maxTradesPerDay: row.max_trades_per_day,
      cooldownLosses: row.cooldown_losses,
      cooldownMinutes: row.cooldown_minutes,
    },
    pending: row.pending,
    pendingAt: row.pending_at ? +new Date(row.pending_at) : null,
  };
}

/** The account's self-locks at `now`, or null for an unknown account. */
export async function selfLockStatus(sql: Sql, accountId: string, now: Date): Promise<SelfLockStatus | null> {
  const [account] = await sql<AccountRow[]>`
    select id, currency, type, phase, plan_version_id, balance, equity, engine_state
    from accounts where id = ${accountId}`;
  if (!account) return null;
  const [reset, raw] = await Promise.all([resetOf(sql, account), storedSelfLocks(sql, accountId)]);
  const stored = effectiveAt(raw, now);
  const day = tradingDay(now, reset);
  const s = stored.settings;

  const [[stats], [trades], [streak]] = await Promise.all([
    sql<{ sod_balance: string; low_equity: string }[]>`
      select sod_balance, low_equity from daily_stats
      where account_id = ${accountId} and trading_day = ${day.key}`,
    sql<{ n: number }[]>`
      select count(*)::int as n from trades
      where account_id = ${accountId} and opened_at >= ${new Date(day.opensAt)} and opened_at <= ${now}`,
    // Losses since the last non-losing close, and the close of the one that started the latest cooldown.
    sql<{ length: number; trigger_at: Date | null }[]>`
      with last_win as (
        select max(closed_at) as at from trades
        where account_id = ${accountId} and status = 'closed' and pnl >= 0 and closed_at <= ${now}
      ), streak as (
        select t.closed_at, row_number() over (order by t.closed_at, t.id) as n
        from trades t, last_win w
        where t.account_id = ${accountId} and t.status = 'closed' and t.closed_at <= ${now}
          and (w.at is null or t.closed_at > w.at)
      )
      select (select count(*) from streak)::int as length,
             (select closed_at from streak
              where n = (select count(*) from streak) / ${s.cooldownLosses ?? 1} * ${s.cooldownLosses ?? 1})
               as trigger_at`,
  ]);

  const state = account.engine_state;
  const balance = state?.balance ?? account.balance;
  const equity = state?.equity ?? account.equity;
  // A day the engine has not rolled yet (no event since its reset) starts at the current balance.
  const sod = state && state.day.key === day.key ? state.day.sodBalance : balance;
  let worst = toMinor(sod) - toMinor(equity);
  if (stats) worst = max(worst, toMinor(stats.sod_balance) - toMinor(stats.low_equity));

  const held: HeldLock[] = [];
  if (s.dailyLossLimit !== null && worst >= toMinor(s.dailyLossLimit)) {
    held.push({
      kind: "daily_loss",
      reason: `Your daily loss limit of ${formatMoney(s.dailyLossLimit, account.currency)} is reached ` +
        `(today's loss ${formatMoney(fromMinor(worst), account.currency)}).`,
      until: day.closesAt,
    });
  }
  if (s.maxTradesPerDay !== null && trades.n >= s.maxTradesPerDay) {
    held.push({
      kind: "max_trades",
      reason: `You have opened ${trades.n} of your ${s.maxTradesPerDay} trades for today.`,
      until: day.closesAt,
    });
  }
  if (s.cooldownLosses !== null && s.cooldownMinutes !== null && streak.trigger_at) {
    const until = +streak.trigger_at + s.cooldownMinutes * 60_000;
    if (+now < until) {
      held.push({
        kind: "cooldown",
        reason: `Cooldown of ${minutesInWords(s.cooldownMinutes)} after ${s.cooldownLosses} losing trades ` +
          "in a row.",
        until,
      });
    }
  }
  return {
    accountId,
    currency: account.currency,
    reset,
    stored,
    day: { key: day.key, opensAt: day.opensAt, closesAt: day.closesAt },
    worstLossToday: fromMinor(worst),
    tradesToday: trades.n,
    losingStreak: streak.length,
    held,
  };
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
