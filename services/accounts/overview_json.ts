/**
 * The account overview as JSON (`GET /api/accounts/:id/overview`, the account page and the dashboard cards):
 * the meters of `meters.ts` plus what the page shows around them. Types only and no imports, so islands can
 * name them without pulling server code into the browser. Money is decimal strings with 2 places, shares of
 * a limit are percent strings with 2 places, instants ISO-8601 UTC.
 */

/** How much of a limit is used: under 50 %, 50–80 %, 80 % and more, or past it (the rule breached). */
export type MeterLevel = "ok" | "caution" | "danger" | "breached";

/** What every meter says: the room left in money and as a share of the limit, and how much is used. */
export interface MeterFigures {
  /** The whole allowance the meter measures (e.g. anchor − floor). */
  limit: string;
  /** Room left before the limit (never below 0). */
  left: string;
  /** Share of the limit used, "0.00" to "100.00". */
  usedPercent: string;
  /** Share of the limit left, 100 − usedPercent. */
  leftPercent: string;
  level: MeterLevel;
}

export interface DailyLossMeter extends MeterFigures {
  key: "daily_loss";
  /** What is compared with the floor. */
  basis: "equity" | "balance";
  floor: string;
  current: string;
  anchor: { kind: "sod_balance" | "sod_equity" | "sod_max" | "initial"; value: string; words: string };
  /** The size of the limit in words, e.g. "$5,000 below the day's starting balance". */
  method: string;
  action: "fail" | "pause";
  /** The next reset (DST-correct, from the engine's trading day) and the zone it is defined in. */
  resetsAt: string;
  resetZone: string;
  resetTime: string;
  pausedUntil: string | null;
}

export interface MaxLossMeter extends MeterFigures {
  key: "max_loss";
  mode: "static" | "trailing_intraday" | "trailing_eod";
  floor: string;
  current: string;
  /** The level the floor sits below: B0, the highest equity or the highest end-of-day balance. */
  highWater: string;
  /** The level a trailing floor stops at (null: static, or never locks). */
  lockLevel: string | null;
  /** True once a trailing floor has reached its lock and stopped rising. */
  locked: boolean;
  method: string;
}

export interface ProfitMeter {
  key: "profit_target";
  target: string;
  targetBalance: string;
  profit: string;
  /** Profit still needed (0 once reached). */
  left: string;
  /** Share of the target reached, "0.00" to "100.00" (0 while at a loss). */
  donePercent: string;
  met: boolean;
  /** The target also needs every position closed. */
  openPositions: number;
}

export interface ConsistencyMeter {
  key: "consistency";
  /** Best day may make at most this % of the total profit. */
  maxPercent: string;
  bestDay: string;
  bestDayKey: string | null;
  totalProfit: string;
  /** Best day's share of the total profit (null without profit). */
  sharePercent: string | null;
  /** Profit still needed, at no better day than the best, for the best day to fit (0 when it holds). */
  needed: string;
  holds: boolean;
}

export interface TradingDaysMeter {
  key: "trading_days";
  required: number;
  current: number;
  left: number;
}

export interface AccountMeters {
  dailyLoss: DailyLossMeter | null;
  maxLoss: MaxLossMeter | null;
  profitTarget: ProfitMeter | null;
  consistency: ConsistencyMeter | null;
  tradingDays: TradingDaysMeter | null;
  /** The loss limit with the least room left (in money), for the dashboard card; null without one. */
  nearest: "daily_loss" | "max_loss" | null;
  /** Equity − the balance at the last reset: today's result, open positions included. */
  todayPnl: string;
  tradingDay: string;
}
