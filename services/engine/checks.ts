/**
 * The pass conditions (DESIGN §3), shared by the evaluator (which acts on them) and the progress view (which
 * shows them), so both always agree.
 */
import type { AccountState, ObjectiveKey } from "./state.ts";
import type { EngineRules } from "./rules.ts";

/** Best-day consistency figures: the best day's P&L and the total profit (balance − B0), in minor units. */
interface Consistency {
  bestDay: bigint;
  total: bigint;
  holds: boolean;
}

/**
 * Consistency holds when the total profit is positive and `bestDay ≤ percent % × total`, compared as
 * integers (`bestDay × 100 × 10⁴ ≤ percent × 10⁴ × total`), so nothing is rounded.
 */
export function consistencyOf(state: AccountState, percent: string): Consistency {
  let bestDay = 0n;
  let first = true;
  for (const pnl of Object.values(state.dailyPnl)) {
    if (first || pnl > bestDay) bestDay = pnl;
    first = false;
  }
  const total = state.balance - state.initialBalance;
  return { bestDay, total, holds: total > 0n && bestDay * 1_000_000n <= scaledPercent(percent) * total };
}

/** "33.5" → 335000n (percent × 10⁴). */
export function scaledPercent(percent: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(percent);
  if (!m) throw new RangeError(`not a percentage: ${JSON.stringify(percent)}`);
  return BigInt(m[1]) * 10_000n + BigInt((m[2] ?? "").padEnd(4, "0"));
}

/** Whether the profit target is met: balance ≥ B0 + target with no open positions. */
export function profitTargetMet(state: AccountState, rules: EngineRules): boolean {
  return rules.profitTarget !== null && Object.keys(state.positions).length === 0 &&
    state.balance >= state.initialBalance + rules.profitTarget;
}

/** The pass objectives that hold now, in a fixed order. Objectives a plan does not set are left out. */
export function metObjectives(state: AccountState, rules: EngineRules): ObjectiveKey[] {
  const met: ObjectiveKey[] = [];
  if (profitTargetMet(state, rules)) met.push("profit_target");
  if (rules.minTradingDays > 0 && state.tradingDays.length >= rules.minTradingDays) {
    met.push("min_trading_days");
  }
  if (rules.bestDayMaxPercent !== null && consistencyOf(state, rules.bestDayMaxPercent).holds) {
    met.push("consistency");
  }
  return met;
}

/** A phase passes when every objective it sets is met; a stage without a profit target never passes. */
export function passes(met: readonly ObjectiveKey[], rules: EngineRules): boolean {
  return rules.profitTarget !== null && met.includes("profit_target") &&
    (rules.minTradingDays === 0 || met.includes("min_trading_days")) &&
    (rules.bestDayMaxPercent === null || met.includes("consistency"));
}
