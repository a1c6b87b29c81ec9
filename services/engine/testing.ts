/**
 * Fixtures for the engine tests: plans modelled on published prop-firm rules and terse event builders.
 * Test-only; nothing in the app imports it.
 */
import { type PhaseDefinition, type PlanDefinition, planDefinitionSchema } from "../plans/definition.ts";
import { applyEvents } from "./evaluate.ts";
import { compileRules, type EngineRules } from "./rules.ts";
import { type AccountState, type EngineEvent, initialState, type Verdict } from "./state.ts";

export const PRAGUE_MIDNIGHT = { timeZone: "Europe/Prague", time: "00:00" };
export const CHICAGO_FIVE_PM = { timeZone: "America/Chicago", time: "17:00" };
const NEW_YORK_FIVE_PM = { timeZone: "America/New_York", time: "17:00" };

/** A one-phase plan: `phase` overrides a phase with no rules at all. */
export function planWith(
  phase: Partial<PhaseDefinition>,
  options: { initialBalance?: string; reset?: PlanDefinition["reset"] } = {},
): PlanDefinition {
  return planDefinitionSchema.parse({
    name: "Test plan",
    currency: "USD",
    initialBalance: options.initialBalance ?? "100000.00",
    price: "100.00",
    reset: options.reset ?? PRAGUE_MIDNIGHT,
    phases: [{
      name: "Phase",
      profitTarget: null,
      dailyLoss: null,
      maxLoss: null,
      minTradingDays: 0,
      timeLimitDays: null,
      bestDayMaxPercent: null,
      ...phase,
    }],
    funded: {
      profitSplitPercent: "80",
      minPayout: "100.00",
      payoutIntervalDays: 14,
      dailyLoss: null,
      maxLoss: null,
    },
  });
}

/** FTMO 100K challenge: 10 % target, 5 % of B0 below the start-of-day balance on equity, 10 % static, 4 days. */
export function ftmo100k(overrides: Partial<PhaseDefinition> = {}): PlanDefinition {
  return planWith({
    profitTarget: { percent: "10" },
    dailyLoss: { percent: "5", of: "initial", anchor: "sod_balance", on: "equity", action: "fail" },
    maxLoss: { percent: "10", mode: "static", lockAtOffset: null },
    minTradingDays: 4,
    ...overrides,
  });
}

/** Topstep 50K: $3,000 target, $2,000 max loss trailing end-of-day and locking at B0, $1,000 daily (pause). */
export function topstep50k(overrides: Partial<PhaseDefinition> = {}): PlanDefinition {
  return planWith({
    profitTarget: { amount: "3000.00" },
    dailyLoss: { amount: "1000.00", anchor: "sod_balance", on: "equity", action: "pause" },
    maxLoss: { amount: "2000.00", mode: "trailing_eod", lockAtOffset: "0.00" },
    minTradingDays: 2,
    ...overrides,
  }, { initialBalance: "50000.00", reset: CHICAGO_FIVE_PM });
}

/** Apex-style 50K: $3,000 target, $2,500 trailing threshold on intraday equity, stops at B0 + $100. */
export function apex50k(overrides: Partial<PhaseDefinition> = {}): PlanDefinition {
  return planWith({
    profitTarget: { amount: "3000.00" },
    maxLoss: { amount: "2500.00", mode: "trailing_intraday", lockAtOffset: "100.00" },
    minTradingDays: 1,
    ...overrides,
  }, { initialBalance: "50000.00", reset: NEW_YORK_FIVE_PM });
}

/** The5ers-style 100K: 5 % of the higher of start-of-day balance and equity, 10 % static max loss. */
export function the5ers100k(overrides: Partial<PhaseDefinition> = {}): PlanDefinition {
  return planWith({
    profitTarget: { percent: "8" },
    dailyLoss: { percent: "5", of: "anchor", anchor: "sod_max", on: "equity", action: "fail" },
    maxLoss: { percent: "10", mode: "static", lockAtOffset: null },
    minTradingDays: 3,
    ...overrides,
  });
}

/**
 * The four firms' plans with property-test settings (a time limit, consistency), and a start that spans the
 * March DST changes in Europe and the US: what the engine and live-path property tests draw from.
 */
export const FIRM_PLANS = {
  ftmo: ftmo100k({ timeLimitDays: 10, minTradingDays: 2 }),
  topstep: topstep50k(),
  apex: apex50k(),
  the5ers: the5ers100k({ bestDayMaxPercent: "40", minTradingDays: 1 }),
};
export const FIRM_PLANS_START = Date.parse("2026-03-20T08:00:00Z");

export const t = (isoString: string): number => Date.parse(isoString);

export const open = (tradeId: string, at: string, symbol = "EURUSD"): EngineEvent => ({
  type: "trade_open",
  tradeId,
  symbol,
  direction: "buy",
  volume: "1.00",
  price: "1.08000",
  at: t(at),
});

export const close = (tradeId: string, pnl: string, at: string): EngineEvent => ({
  type: "trade_close",
  tradeId,
  price: "1.09000",
  pnl,
  at: t(at),
});

export const mark = (equity: string, balance: string, at: string): EngineEvent => ({
  type: "equity",
  equity,
  balance,
  at: t(at),
});

export const tick = (at: string): EngineEvent => ({ type: "reset", at: t(at) });

/** Compiles phase 0 of `plan`, starts an account at `startAt` and applies `events`. */
export function run(
  plan: PlanDefinition,
  startAt: string,
  events: EngineEvent[],
): { rules: EngineRules; state: AccountState; verdicts: Verdict[] } {
  const rules = compileRules(plan, 0);
  return { rules, ...applyEvents(initialState(rules, t(startAt)), events, rules) };
}
