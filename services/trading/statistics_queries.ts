/**
 * The I/O shell around statistics.ts: loads one readable account's closed trades and equity samples (with
 * optional `from`/`to` bounds on the close time) and computes its figures.
 */
import type { Sql } from "../../db/client.ts";
import { findReadableAccount, type Reader } from "../accounts/access.ts";
import type { AccountSummary } from "../accounts/summary.ts";
import { toMinor } from "../money.ts";
import type { Reset } from "../plans/definition.ts";
import { computeStatistics, type Statistics, type TradeGroup } from "./statistics.ts";
import { tradingDay } from "../engine/trading_day.ts";
import { closedBalanceFall } from "./statistics_aggregate.ts";

/** Accounts without a plan (demo) count trading days as UTC days. */
const UTC_MIDNIGHT: Reset = { timeZone: "UTC", time: "00:00" };

export interface AccountStatistics extends Statistics {
  accountId: string;
  currency: string;
  /** The plan's trading-day reset the days are counted in. */
  reset: Reset;
  from: string | null;
  to: string | null;
}

/**
 * The statistics of an account `user` may read (404 otherwise, audited as in access.ts), over trades closed
 * in [`from`, `to`).
 */
export async function accountStatistics(
  sql: Sql,
  user: Reader,
  accountId: string,
  range: { from?: Date; to?: Date } = {},
): Promise<AccountStatistics> {
  const account = await findReadableAccount(sql, user, accountId);
  return await statisticsOf(sql, account, range);
}

/**
 * `accountStatistics` for an account already checked. Everything is sent at once except the sums per
 * trading day, symbol and direction, which wait for the plan's reset and the closed-trade span (the days'
 * boundaries come from trading_day.ts, the one definition of a trading day, through `width_bucket`). Beside
 * them: the best and worst trade, the P&L column of the closed-balance curve (the only per-trade data that
 * leaves the database) and the equity drawdown. Every read of the trades is index-only
 * (migration 016_statistics_indexes.sql).
 */
export async function statisticsOf(
  sql: Sql,
  account: AccountSummary,
  range: { from?: Date; to?: Date } = {},
): Promise<AccountStatistics> {
  const from = range.from ?? null, to = range.to ?? null;
  // Bounds only where given: a `$n is null or …` filter stays in a generic plan, whose guessed selectivity
  // made PostgreSQL sort the rows of the wrong index instead of reading the close-ordered one.
  const within = (column: "closed_at" | "at") =>
    sql`${from ? sql`and ${sql(column)} >= ${from}` : sql``} ${to ? sql`and ${sql(column)} < ${to}` : sql``}`;
  const closed = sql`account_id = ${account.id} and status = 'closed' ${within("closed_at")}`;
  const start = from
    ? sql`(select ${account.initialBalance}::numeric + coalesce(sum(pnl), 0) from trades
        where account_id = ${account.id} and status = 'closed' and closed_at < ${from})`
    : sql`${account.initialBalance}::numeric`;
  type Ref = { id: string; external_id: string; pnl: string };
  // The plan's reset and the span first: the per-day sums wait for them.
  const framing = Promise.all([
    sql<{ reset: Reset | null; start: string }[]>`
      select v.definition -> 'reset' as reset, ${start}::text as start from accounts a
      left join plan_versions v on v.id = a.plan_version_id where a.id = ${account.id}`,
    sql<{ first: Date | null; last: Date | null }[]>`
      select min(closed_at) as first, max(closed_at) as last from trades where ${closed}`,
  ]);
  // The rest does not depend on them: sent at once too, awaited last.
  const ordered = Promise.all([
    // The first closed of the trades with the highest / lowest P&L: two probes of
    // trades_account_closed_pnl_idx (the extreme, then its first close) instead of a sort of every trade.
    sql<Ref[]>`select id, external_id, pnl::text from trades where ${closed}
      and trades.pnl = (select max(pnl) from trades where ${closed})
      order by closed_at, id limit 1`,
    sql<Ref[]>`select id, external_id, pnl::text from trades where ${closed}
      and trades.pnl = (select min(pnl) from trades where ${closed})
      order by closed_at, id limit 1`,
    // The closed-balance curve needs every P&L in close order: one int8 column of cents (folded by the pure
    // `closedBalanceFall`; a window function over numeric costs the database several times more).
    sql`select (pnl * 100)::int8 as cents from trades where ${closed} order by closed_at, id`.values(),
    // The largest fall of equity below its running peak (the first on a tie), over (at, equity) straight
    // from equity_samples_at_idx. The window runs on the numeric column itself: exact, and about half the
    // cost of casting every sample to int8 cents twice.
    sql<{ peak: string; trough: string }[]>`
      select peak::text, trough::text from (
        select at, equity as trough, max(equity) over (order by at rows unbounded preceding) as peak
        from equity_samples
        where account_id = ${account.id}
          ${within("at")}
      ) s
      order by peak - trough desc, at
      limit 1`,
  ]);
  // A failure surfaces where it is awaited below, not as an unhandled rejection meanwhile.
  ordered.catch(() => {});
  const [[plan], [span]] = await framing;
  const reset = plan?.reset ?? UTC_MIDNIGHT;
  const startBalance = toMinor(plan.start);
  const groups: TradeGroup[] = [];
  let dayKeys: string[] | undefined;
  if (span.first && span.last) {
    const days = tradingDaysBetween(+span.first, +span.last, reset);
    dayKeys = days.map((d) => d.key);
    // An array literal of ISO instants (no commas or quotes in them): bucket i opens at bounds[i − 1]. Cast
    // once in a sub-select: a bare cast is only stable (it reads the session zone) and would run per row.
    const bounds = `{${days.map((d) => new Date(d.opensAt).toISOString()).join(",")}}`;
    // Hold times are summed as intervals (exact microseconds) and turned into seconds once per group: a
    // per-row `extract` (numeric since PostgreSQL 14) cost more than all the other sums together.
    const rows = await sql<
      {
        i: number;
        symbol: string;
        direction: "buy" | "sell";
        trades: number;
        wins: number;
        losses: number;
        gross_profit: string;
        net: string;
        hold_ms: string;
      }[]
    >`
      select width_bucket(closed_at, (select ${bounds}::timestamptz[])) as i, symbol,
             direction, count(*)::int as trades, (count(*) filter (where pnl > 0))::int as wins,
             (count(*) filter (where pnl < 0))::int as losses,
             coalesce(sum(pnl) filter (where pnl > 0), 0)::text as gross_profit,
             sum(pnl)::text as net,
             round(extract(epoch from sum(closed_at - opened_at)) * 1000)::text as hold_ms
      from trades where ${closed}
      group by 1, 2, 3`;
    for (const r of rows) {
      const day = days[r.i - 1];
      // Σ|losses| = Σ gains − Σ all, exactly: one numeric sum per row fewer.
      const grossProfit = toMinor(r.gross_profit), net = toMinor(r.net);
      groups.push({
        day: day.key,
        opensAt: day.opensAt,
        symbol: r.symbol,
        direction: r.direction,
        trades: r.trades,
        wins: r.wins,
        losses: r.losses,
        grossProfit,
        grossLoss: grossProfit - net,
        net,
        holdMs: BigInt(r.hold_ms),
      });
    }
  }
  const [[best], [worst], cents, [equityFall]] = await ordered;
  const ref = (r: Ref | undefined) => r ? { id: r.id, tradeId: r.external_id, pnl: toMinor(r.pnl) } : null;
  const stats = computeStatistics({
    startBalance,
    reset,
    aggregates: {
      groups,
      best: ref(best),
      worst: ref(worst),
      closedDrawdown: closedBalanceFall(startBalance, cents.map((r) => BigInt(r[0] as string))),
      days: dayKeys,
    },
    samples: equityFall ? { peak: toMinor(equityFall.peak), trough: toMinor(equityFall.trough) } : null,
  });
  return {
    accountId: account.id,
    currency: account.currency,
    reset,
    from: from?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    ...stats,
  };
}

/** The trading days from the one containing `first` to the one containing `last`, in order. */
function tradingDaysBetween(first: number, last: number, reset: Reset): { key: string; opensAt: number }[] {
  const out: { key: string; opensAt: number }[] = [];
  let day = tradingDay(first, reset);
  for (;;) {
    out.push({ key: day.key, opensAt: day.opensAt });
    if (day.closesAt > last) return out;
    day = tradingDay(day.closesAt, reset);
  }
}
