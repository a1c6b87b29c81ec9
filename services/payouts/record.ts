/**
 * An account's trading record at a glance, for the staff payout queue: what a reviewer checks before money
 * leaves — figures, closed trades, wins, net P&L, breaches, and when it traded.
 */
import type { Sql } from "../../db/client.ts";
import { isoOrNull } from "../time.ts";
import type { LockedAccount } from "../accounts/persist.ts";
import { lockedColumns } from "../accounts/persist.ts";

export interface TradingRecord {
  account: LockedAccount;
  trades: number;
  open: number;
  wins: number;
  netPnl: string;
  bestTrade: string | null;
  worstTrade: string | null;
  breaches: number;
  firstTradeAt: string | null;
  lastTradeAt: string | null;
}

/** The record of `accountId`, or null when there is no such account. Not scoped: staff only. */
export async function tradingRecord(sql: Sql, accountId: string): Promise<TradingRecord | null> {
  const [account] = await sql<LockedAccount[]>`
    select ${lockedColumns(sql)} from accounts where id = ${accountId}`;
  if (!account) return null;
  const [[t], [b]] = await Promise.all([
    sql<
      {
        trades: number;
        open: number;
        wins: number;
        net: string;
        best: string | null;
        worst: string | null;
        first: Date | null;
        last: Date | null;
      }[]
    >`
      select count(*) filter (where status = 'closed')::int as trades,
             count(*) filter (where status = 'open')::int as open,
             count(*) filter (where pnl > 0)::int as wins,
             coalesce(sum(pnl), 0)::numeric(15, 2)::text as net,
             max(pnl)::text as best, min(pnl)::text as worst,
             min(opened_at) as first, max(coalesce(closed_at, opened_at)) as last
      from trades where account_id = ${accountId}`,
    sql<{ n: number }[]>`select count(*)::int as n from breaches where account_id = ${accountId}`,
  ]);
  return {
    account,
    trades: t.trades,
    open: t.open,
    wins: t.wins,
    netPnl: t.net,
    bestTrade: t.best,
    worstTrade: t.worst,
    breaches: b.n,
    firstTradeAt: isoOrNull(t.first),
    lastTradeAt: isoOrNull(t.last),
  };
}
