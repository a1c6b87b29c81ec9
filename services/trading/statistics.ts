/**
 * Trading statistics of one account (DESIGN §3.1): a pure core over its closed trades — summed per trading
 * day, symbol and direction (statistics_aggregate.ts in memory, the database in statistics_queries.ts) — and
 * its equity samples, no I/O. Money is integer cents inside and decimal strings with 2 places outside; ratios are decimal strings
 * with 4 places; `null` wherever a figure is undefined (no trades, a division by zero, fewer than 2 days).
 *
 * Conventions the design leaves open, fixed here:
 * - Divisions of money (`averageWin`, `averageLoss`, `expectancy`) and exact ratios round half away from zero.
 * - `maxDrawdown.percent` / `maxDrawdownEquity.percent` are percentages of the peak ("3.4314" = 3.4314 %).
 * - The closed-balance curve starts at `startBalance` (B0, plus the realized P&L of trades closed before a
 *   `from` bound), so a filtered range measures the drawdown from where the balance really stood.
 * - Days are the plan's trading days (services/engine/trading_day.ts) of each trade's **close**; the returns
 *   run over every trading day from the first to the last day with a close (weekends included: they are
 *   trading days of the plan too, and count as 0). Day d−1 of the first day closes at `startBalance`.
 * - Sharpe and Sortino involve square roots, so they are computed in float64 from exact per-day cents and
 *   rounded to 4 places; every other figure is exact.
 */
import type { Reset } from "../plans/definition.ts";
import { tradingDay } from "../engine/trading_day.ts";
import { fromMinor } from "../money.ts";
import { divMoney, fixed4, ratio, ratio4 } from "./decimal.ts";

export { ratio, ratio4 };

export interface ClosedTrade {
  /** Our row id (trades.id). */
  id: string;
  /** The platform's trade id (trades.external_id). */
  tradeId: string;
  symbol: string;
  direction: "buy" | "sell";
  /** Realized P&L in cents. */
  pnl: bigint;
  openedAt: number;
  closedAt: number;
}

export interface EquitySample {
  at: number;
  /** Cents. */
  equity: bigint;
}

/**
 * Closed trades summed per (trading day, symbol, direction): everything the figures need except the order of
 * the closes, which only the best/worst trade and the closed-balance drawdown depend on (given beside).
 */
export interface TradeGroup {
  day: string;
  /** When the trading day opened (its reset), epoch ms. */
  opensAt: number;
  symbol: string;
  direction: "buy" | "sell";
  trades: number;
  wins: number;
  losses: number;
  grossProfit: bigint;
  grossLoss: bigint;
  net: bigint;
  /** Σ (closedAt − openedAt). */
  holdMs: bigint;
}

export interface TradeAggregates {
  groups: readonly TradeGroup[];
  /** The first trade (in close order) with the highest / lowest P&L. */
  best: ClosedTradeRef | null;
  worst: ClosedTradeRef | null;
  /** The largest fall of the closed-balance curve (the first on a tie); null without trades. */
  closedDrawdown: { amount: bigint; peak: bigint; trough: bigint } | null;
  /**
   * The keys of every trading day from the first close's to the last's, in order, when the caller already
   * walked them (the loader does, for its bucket bounds): each step of the walk reads the zone's offsets
   * through Intl several times, so walking twice cost more than all the other arithmetic here.
   */
  days?: readonly string[];
}

export interface ClosedTradeRef {
  id: string;
  tradeId: string;
  pnl: bigint;
}

export interface StatisticsInput {
  /** Balance before the first trade (cents). */
  startBalance: bigint;
  reset: Reset;
  aggregates: TradeAggregates;
  /**
   * Equity samples in time order, or their largest fall already found (`{ peak, trough }` in cents, null
   * without samples): the loader asks the database for it, so weeks of per-second samples never leave it.
   */
  samples: readonly EquitySample[] | { peak: bigint; trough: bigint } | null;
}

export interface TradeRef {
  id: string;
  tradeId: string;
  pnl: string;
}

export interface DayPnl {
  /** The trading day's label, "YYYY-MM-DD" (trading_day.ts). */
  day: string;
  pnl: string;
  trades: number;
}

export interface Drawdown {
  amount: string;
  /** Percent of the peak, 4 places. */
  percent: string | null;
  peak: string;
  trough: string;
}

export interface Breakdown {
  key: string;
  trades: number;
  net: string;
}

export interface Statistics {
  trades: number;
  wins: number;
  losses: number;
  breakeven: number;
  winRate: string | null;
  grossProfit: string;
  grossLoss: string;
  netProfit: string;
  profitFactor: string | null;
  averageWin: string | null;
  averageLoss: string | null;
  payoffRatio: string | null;
  expectancy: string | null;
  bestTrade: TradeRef | null;
  worstTrade: TradeRef | null;
  /** Mean time from open to close in minutes, 2 places. */
  averageHoldMinutes: string | null;
  long: { count: number; net: string };
  short: { count: number; net: string };
  dailyPnl: DayPnl[];
  bestDay: DayPnl | null;
  worstDay: DayPnl | null;
  winningDays: number;
  maxDrawdown: Drawdown | null;
  maxDrawdownEquity: Drawdown | null;
  sharpe: string | null;
  sortino: string | null;
  bySymbol: Breakdown[];
  byDirection: Breakdown[];
  /** Weekday of the trading day, Monday first; only weekdays with trades. */
  byWeekday: Breakdown[];
}

export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** Every figure of DESIGN §3.1 for `input` (see the module notes for the conventions). */
export function computeStatistics(input: StatisticsInput): Statistics {
  const { groups, best, worst, closedDrawdown } = input.aggregates;
  let n = 0, wins = 0, losses = 0;
  let grossProfit = 0n, grossLoss = 0n, net = 0n, holdMs = 0n;
  const long = { count: 0, net: 0n }, short = { count: 0, net: 0n };
  const bySymbol = new Map<string, Sum>();
  const days = new Map<string, Sum & { opensAt: number }>();
  for (const g of groups) {
    n += g.trades;
    wins += g.wins;
    losses += g.losses;
    grossProfit += g.grossProfit;
    grossLoss += g.grossLoss;
    net += g.net;
    holdMs += g.holdMs;
    const side = g.direction === "buy" ? long : short;
    side.count += g.trades;
    side.net += g.net;
    add(bySymbol, g.symbol, g);
    const day = days.get(g.day);
    if (day) (day.trades += g.trades, day.net += g.net);
    else days.set(g.day, { trades: g.trades, net: g.net, opensAt: g.opensAt });
  }
  const breakeven = n - wins - losses;
  const ordered = [...days].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const dailyPnl = ordered.map(([key, d]) => ({ day: key, pnl: fromMinor(d.net), trades: d.trades }));
  const dayCents = ordered.map(([key, d]) => ({ key, pnl: d.net }));
  const bestDay = pick(dayCents, (a, b) => a.pnl > b.pnl);
  const worstDay = pick(dayCents, (a, b) => a.pnl < b.pnl);
  const dayOf = (d: { key: string } | null) => d && dailyPnl.find((x) => x.day === d.key)!;
  const { sharpe, sortino } = riskRatios(input, ordered);

  return {
    trades: n,
    wins,
    losses,
    breakeven,
    winRate: ratio4(BigInt(wins), BigInt(n)),
    grossProfit: fromMinor(grossProfit),
    grossLoss: fromMinor(grossLoss),
    netProfit: fromMinor(net),
    profitFactor: ratio4(grossProfit, grossLoss),
    averageWin: divMoney(grossProfit, wins),
    averageLoss: divMoney(grossLoss, losses),
    // (grossProfit / wins) / (grossLoss / losses), exact: not the ratio of the two rounded averages.
    payoffRatio: wins > 0 && losses > 0
      ? ratio4(grossProfit * BigInt(losses), grossLoss * BigInt(wins))
      : null,
    expectancy: divMoney(net, n),
    bestTrade: best && tradeRef(best),
    worstTrade: worst && tradeRef(worst),
    averageHoldMinutes: n > 0 ? ratio(holdMs, BigInt(n) * 60_000n, 2) : null,
    long: { count: long.count, net: fromMinor(long.net) },
    short: { count: short.count, net: fromMinor(short.net) },
    dailyPnl,
    bestDay: dayOf(bestDay),
    worstDay: dayOf(worstDay),
    winningDays: dayCents.filter((d) => d.pnl > 0n).length,
    maxDrawdown: n > 0 && closedDrawdown ? drawdownOf(closedDrawdown) : null,
    maxDrawdownEquity: equityFall(input.samples),
    sharpe,
    sortino,
    bySymbol: [...bySymbol].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(breakdown),
    byDirection: [
      { key: "buy", trades: long.count, net: fromMinor(long.net) },
      { key: "sell", trades: short.count, net: fromMinor(short.net) },
    ].filter((b) => b.trades > 0),
    byWeekday: byWeekday(ordered),
  };
}

type Sum = { trades: number; net: bigint };

function add(map: Map<string, Sum>, key: string, g: { trades: number; net: bigint }): void {
  const entry = map.get(key);
  if (entry) (entry.trades += g.trades, entry.net += g.net);
  else map.set(key, { trades: g.trades, net: g.net });
}

function pick<T>(items: readonly T[], better: (a: T, b: T) => boolean): T | null {
  let out: T | null = null;
  for (const item of items) if (out === null || better(item, out)) out = item;
  return out;
}

function tradeRef(t: ClosedTradeRef): TradeRef {
  return { id: t.id, tradeId: t.tradeId, pnl: fromMinor(t.pnl) };
}

function breakdown([key, v]: [string, Sum]): Breakdown {
  return { key, trades: v.trades, net: fromMinor(v.net) };
}

function byWeekday(days: readonly [string, Sum][]): Breakdown[] {
  const sums = WEEKDAYS.map(() => ({ trades: 0, net: 0n }));
  for (const [key, d] of days) {
    // The label is a calendar date; its weekday is the same in every zone, so read it in UTC.
    const i = (new Date(`${key}T00:00:00Z`).getUTCDay() + 6) % 7;
    sums[i].trades += d.trades;
    sums[i].net += d.net;
  }
  return sums.flatMap((s, i) =>
    s.trades > 0 ? [{ key: WEEKDAYS[i], trades: s.trades, net: fromMinor(s.net) }] : []
  );
}

function drawdownOf(d: { amount: bigint; peak: bigint; trough: bigint }): Drawdown {
  return {
    amount: fromMinor(d.amount),
    percent: d.peak > 0n ? ratio4(d.amount * 100n, d.peak) : null,
    peak: fromMinor(d.peak),
    trough: fromMinor(d.trough),
  };
}

function equityFall(samples: StatisticsInput["samples"]): Drawdown | null {
  if (samples === null) return null;
  if ("peak" in samples) return drawdownOf({ ...samples, amount: samples.peak - samples.trough });
  return equityDrawdown(samples);
}

/** The largest peak-to-trough fall over the equity samples (null without samples). */
export function equityDrawdown(samples: readonly EquitySample[]): Drawdown | null {
  if (samples.length === 0) return null;
  let peak = samples[0].equity;
  let worst = { amount: 0n, peak, trough: peak };
  for (const s of samples) {
    if (s.equity > peak) peak = s.equity;
    else if (peak - s.equity > worst.amount) worst = { amount: peak - s.equity, peak, trough: s.equity };
  }
  return drawdownOf(worst);
}

/** The keys of the trading days from the one opening at `opensAt` to the one keyed `last`, in order. */
function walkDays(opensAt: number, last: string, reset: Reset): string[] {
  const keys: string[] = [];
  for (let day = tradingDay(opensAt, reset);; day = tradingDay(day.closesAt, reset)) {
    keys.push(day.key);
    if (day.key === last) return keys;
  }
}

/**
 * Sharpe and Sortino over the daily returns r_d = (C_d − C_{d−1}) / C_{d−1} of every trading day from the
 * first day with a close to the last (days without one return 0), annualised with √252, risk-free rate 0.
 */
function riskRatios(
  input: StatisticsInput,
  ordered: readonly [string, Sum & { opensAt: number }][],
): { sharpe: string | null; sortino: string | null } {
  const none = { sharpe: null, sortino: null };
  if (ordered.length === 0) return none;
  const days = new Map(ordered);
  const returns: number[] = [];
  let close = input.startBalance;
  for (
    const key of input.aggregates.days ??
      walkDays(ordered[0][1].opensAt, ordered[ordered.length - 1][0], input.reset)
  ) {
    if (close <= 0n) return none; // a return on a balance of zero or less means nothing
    const pnl = days.get(key)?.net ?? 0n;
    returns.push(Number(pnl) / Number(close));
    close += pnl;
  }
  const n = returns.length;
  if (n < 2) return none;
  const mean = returns.reduce((s, r) => s + r, 0) / n;
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1);
  const downside = returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / n;
  const annual = Math.sqrt(252);
  return {
    sharpe: variance > 0 ? fixed4((mean / Math.sqrt(variance)) * annual) : null,
    sortino: downside > 0 ? fixed4((mean / Math.sqrt(downside)) * annual) : null,
  };
}
