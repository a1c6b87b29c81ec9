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
  /**
   * Profit still needed, on days no better than the best, for the best day to fit (0 when it holds, and 0
   * before any winning day: there is nothing to outweigh yet).
   */
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

/** An account as the overview carries it (the fields of `AccountSummary`). */
export interface AccountJson {
  id: string;
  userId: string;
  challengeId: string | null;
  phase: number | null;
  type: "challenge" | "funded" | "demo";
  status: "pending" | "active" | "paused" | "passed" | "failed" | "pending_kyc" | "closed";
  currency: string;
  initialBalance: string;
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
  stateVersion: number;
  lastEventAt: string | null;
  nextResetAt: string | null;
  updatedAt: string;
}

/** Breach evidence as the engine writes it (services/engine/state.ts `BreachEvidence`). */
export interface EvidenceJson {
  rule: "daily_loss" | "max_loss" | "time_limit";
  action: "fail" | "pause";
  ruleVersion: string;
  at: string;
  tradingDay: string;
  basis: "equity" | "balance" | "time";
  floor: string | null;
  observed: string;
  anchor: { kind: string; value: string } | null;
  deadline: string | null;
  cause: Record<string, string>;
  openPositions: {
    tradeId: string;
    symbol: string;
    direction: "buy" | "sell";
    volume: string;
    price: string;
    openedAt: string;
  }[];
  inputsHash: string;
}

type Status = "ok" | "met" | "pending" | "failed";

/** The progress objectives (services/engine/objectives.ts `Objective`). */
export type ObjectiveJson =
  | { key: "profit_target"; status: Status; target: string; current: string; targetBalance: string }
  | {
    key: "daily_loss";
    status: Status;
    basis: "equity" | "balance";
    floor: string;
    anchor: string;
    current: string;
    resetsAt: string;
    pausedUntil: string | null;
  }
  | {
    key: "max_loss";
    status: Status;
    mode: "static" | "trailing_intraday" | "trailing_eod";
    floor: string;
    current: string;
    lockLevel: string | null;
  }
  | { key: "min_trading_days"; status: Status; required: number; current: number }
  | {
    key: "consistency";
    status: Status;
    required: string;
    current: string | null;
    bestDay: string;
    totalProfit: string;
  }
  | { key: "time_limit"; status: Status; required: number; current: number; endsAt: string };

/** `GET /api/accounts/:id/overview`: everything the account page shows live, computed by the engine. */
export interface AccountOverview {
  account: AccountJson;
  /** "Phase 1: Challenge", "Funded", … */
  stageName: string;
  planName: string | null;
  meters: AccountMeters | null;
  objectives: ObjectiveJson[];
  /** The anchor of the daily loss in words, for the objective's sentence (null without one). */
  anchorWords: string | null;
  /** The evidence of the breach that failed (or paused) the account while it stands. */
  breach: EvidenceJson | null;
  /** The latest breach an admin reinstated, kept visible (null when none). */
  reinstated: EvidenceJson | null;
  /** A passed phase's next account (the next phase, or the funded account), once it exists. */
  next: { accountId: string; stageName: string } | null;
  /** When these figures were computed (server clock). */
  computedAt: string;
}
