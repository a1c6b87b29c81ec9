/**
 * The reference aggregation of closed trades into what statistics.ts computes from (`TradeAggregates`):
 * pure, over trades in close order. The loader (statistics_queries.ts) asks the database for the same
 * aggregates so that an account's 10,000 trades are summed where they are instead of shipped row by row; a
 * test checks that both give the same figures.
 */
import type { Reset } from "../plans/definition.ts";
import { tradingDay } from "../engine/trading_day.ts";
import {
  type ClosedTrade,
  computeStatistics,
  type StatisticsInput,
  type TradeAggregates,
  type TradeGroup,
} from "./statistics.ts";

/** Sums `trades` (in close order: closedAt, then id) per trading day, symbol and direction. */
export function aggregateTrades(
  trades: readonly ClosedTrade[],
  startBalance: bigint,
  reset: Reset,
): TradeAggregates {
  const groups = new Map<string, TradeGroup>();
  let best: ClosedTrade | null = null, worst: ClosedTrade | null = null;
  let day: { key: string; opensAt: number; closesAt: number } | null = null;
  for (const t of trades) {
    // Trades come in close order: the trading day is recomputed only when a close leaves the current one.
    if (!day || t.closedAt < day.opensAt || t.closedAt >= day.closesAt) day = tradingDay(t.closedAt, reset);
    const key = `${day.key}|${t.symbol}|${t.direction}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        day: day.key,
        opensAt: day.opensAt,
        symbol: t.symbol,
        direction: t.direction,
        trades: 0,
        wins: 0,
        losses: 0,
        grossProfit: 0n,
        grossLoss: 0n,
        net: 0n,
        holdMs: 0n,
      };
      groups.set(key, g);
    }
    g.trades++;
    if (t.pnl > 0n) (g.wins++, g.grossProfit += t.pnl);
    else if (t.pnl < 0n) (g.losses++, g.grossLoss -= t.pnl);
    g.net += t.pnl;
    g.holdMs += BigInt(t.closedAt - t.openedAt);
    if (!best || t.pnl > best.pnl) best = t;
    if (!worst || t.pnl < worst.pnl) worst = t;
  }
  const ref = (t: ClosedTrade | null) => t && { id: t.id, tradeId: t.tradeId, pnl: t.pnl };
  return {
    groups: [...groups.values()],
    best: ref(best),
    worst: ref(worst),
    closedDrawdown: closedBalanceFall(startBalance, trades.map((t) => t.pnl)),
  };
}

/**
 * The largest fall of the closed balance (`startBalance` plus each P&L in close order) below its running
 * peak — the balance before the first trade counts as a peak — the first such fall on a tie; without a fall
 * the curve only rose, and its peak is where it ended. Null without trades.
 */
export function closedBalanceFall(
  startBalance: bigint,
  pnls: Iterable<bigint>,
): TradeAggregates["closedDrawdown"] {
  let balance = startBalance, peak = startBalance, any = false;
  let fall = { amount: 0n, peak: startBalance, trough: startBalance };
  for (const pnl of pnls) {
    any = true;
    balance += pnl;
    if (balance > peak) peak = balance;
    else if (peak - balance > fall.amount) fall = { amount: peak - balance, peak, trough: balance };
  }
  if (!any) return null;
  return fall.amount > 0n ? fall : { amount: 0n, peak, trough: peak };
}

/** `computeStatistics` straight from a list of closed trades (in close order). */
export function statisticsOfTrades(
  input: Omit<StatisticsInput, "aggregates"> & { trades: readonly ClosedTrade[] },
) {
  const { trades, ...rest } = input;
  return computeStatistics({ ...rest, aggregates: aggregateTrades(trades, input.startBalance, input.reset) });
}
