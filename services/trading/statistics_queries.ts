/**
 * The I/O shell around statistics.ts: loads one readable account's closed trades and equity samples (with
 * optional `from`/`to` bounds on the close time) and computes its figures.
 */
import type { Sql } from "../../db/client.ts";
import { findReadableAccount, type Reader } from "../accounts/access.ts";
import type { AccountSummary } from "../accounts/summary.ts";
import { toMinor } from "../money.ts";
import type { Reset } from "../plans/definition.ts";
import { type ClosedTrade, computeStatistics, type Statistics } from "./statistics.ts";

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

/** `accountStatistics` for an account already checked. */
export async function statisticsOf(
  sql: Sql,
  account: AccountSummary,
  range: { from?: Date; to?: Date } = {},
): Promise<AccountStatistics> {
  const from = range.from ?? null, to = range.to ?? null;
  // Pipelined on one connection: the plan's reset, the balance before `from`, the trades, the equity fall.
  const [[plan], [before], trades, [fall]] = await Promise.all([
    sql<{ reset: Reset | null }[]>`
      select v.definition -> 'reset' as reset from accounts a
      left join plan_versions v on v.id = a.plan_version_id where a.id = ${account.id}`,
    sql<{ pnl: string }[]>`
      select coalesce(sum(pnl), 0)::text as pnl from trades
      where ${from !== null} and account_id = ${account.id} and status = 'closed' and closed_at < ${from}`,
    sql<
      {
        id: string;
        external_id: string;
        symbol: string;
        direction: "buy" | "sell";
        pnl: string;
        o: number;
        c: number;
      }[]
    >`
      select id, external_id, symbol, direction, pnl::text,
             (extract(epoch from opened_at) * 1000)::float8 as o, (extract(epoch from closed_at) * 1000)::float8 as c
      from trades
      where account_id = ${account.id} and status = 'closed'
        and (${from}::timestamptz is null or closed_at >= ${from})
        and (${to}::timestamptz is null or closed_at < ${to})
      order by closed_at, id`,
    // The largest fall of equity below its running peak (the first such fall on a tie, as the core does).
    sql<{ peak: string; trough: string }[]>`
      select peak::text, trough::text from (
        select at, equity as trough, max(equity) over (order by at rows unbounded preceding) as peak
        from equity_samples
        where account_id = ${account.id}
          and (${from}::timestamptz is null or at >= ${from})
          and (${to}::timestamptz is null or at < ${to})
      ) s
      order by peak - trough desc, at
      limit 1`,
  ]);
  const reset = plan?.reset ?? UTC_MIDNIGHT;
  const closed: ClosedTrade[] = trades.map((t) => ({
    id: t.id,
    tradeId: t.external_id,
    symbol: t.symbol,
    direction: t.direction,
    pnl: toMinor(t.pnl),
    openedAt: Math.round(t.o),
    closedAt: Math.round(t.c),
  }));
  const stats = computeStatistics({
    startBalance: toMinor(account.initialBalance) + toMinor(before.pnl),
    reset,
    trades: closed,
    samples: fall ? { peak: toMinor(fall.peak), trough: toMinor(fall.trough) } : null,
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
