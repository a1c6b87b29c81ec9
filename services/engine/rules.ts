/**
 * The rules of one challenge phase (or the funded stage) in the form the engine evaluates: money resolved to
 * bigint minor units once, up front, so every event compares integers.
 *
 * Rounding: a percentage of money is rounded **half away from zero to the cent** (`percentOf` in
 * services/money.ts), once, where the amount is derived — at compile time for percentages of the initial
 * balance, at each reset for a percentage of the day's anchor. Comparisons are then exact: a breach is
 * `value < floor` (landing exactly on the floor is allowed); consistency compares cross-multiplied integers
 * and never rounds.
 */
import { percentOf, toMinor } from "../money.ts";
import type { DailyLossRule, MaxLossRule, PlanDefinition, Reset } from "../plans/definition.ts";
import { canonicalJson, sha256HexSync } from "./canonical.ts";

export type DailyLossAnchor = DailyLossRule["anchor"];
export type MaxLossMode = MaxLossRule["mode"];

interface DailyLoss {
  anchor: DailyLossAnchor;
  on: "equity" | "balance";
  action: "fail" | "pause";
  /** A fixed amount (a fixed money rule, or a percentage of B0 resolved up front) or a share of the anchor. */
  amount: { kind: "fixed"; minor: bigint } | { kind: "percent_of_anchor"; percent: string };
}

export interface MaxLoss {
  mode: MaxLossMode;
  amount: bigint;
  /** The level at which a trailing floor stops (B0 + lockAtOffset), or null when it never locks. */
  lockLevel: bigint | null;
}

export interface EngineRules {
  /** The rule version shown in evidence: the plan version id, or a hash of the plan and stage. */
  version: string;
  initialBalance: bigint;
  reset: Reset;
  /** Profit needed above B0 (null: this stage cannot pass, e.g. funded). */
  profitTarget: bigint | null;
  dailyLoss: DailyLoss | null;
  maxLoss: MaxLoss | null;
  minTradingDays: number;
  timeLimitDays: number | null;
  /** Consistency: best day profit ≤ this % of total profit (decimal string), or null. */
  bestDayMaxPercent: string | null;
}

/**
 * Compiles the rules of `stage` (a phase index, or `"funded"`) of a plan.
 *
 * @param version the plan version id the account bought; defaults to `sha256:<hex>` of the canonical plan
 *   body and stage, so two different rule sets can never share a version.
 */
export function compileRules(plan: PlanDefinition, stage: number | "funded", version?: string): EngineRules {
  const b0 = plan.initialBalance;
  const source = stage === "funded" ? plan.funded : plan.phases[stage];
  if (!source) throw new RangeError(`the plan has no phase ${stage}`);
  const phase = stage === "funded" ? null : plan.phases[stage];
  const amountOf = (rule: { percent: string } | { amount: string }) =>
    toMinor("percent" in rule ? percentOf(b0, rule.percent) : rule.amount);

  const daily = source.dailyLoss;
  const max = source.maxLoss;
  return {
    version: version ?? `sha256:${sha256HexSync(canonicalJson({ plan, stage }))}`,
    initialBalance: toMinor(b0),
    reset: plan.reset,
    profitTarget: phase?.profitTarget ? amountOf(phase.profitTarget) : null,
    dailyLoss: daily
      ? {
        anchor: daily.anchor,
        on: daily.on,
        action: daily.action,
        amount: "percent" in daily && daily.of === "anchor"
          ? { kind: "percent_of_anchor", percent: daily.percent }
          : { kind: "fixed", minor: amountOf(daily) },
      }
      : null,
    maxLoss: max
      ? {
        mode: max.mode,
        amount: amountOf(max),
        lockLevel: max.lockAtOffset === null ? null : toMinor(b0) + toMinor(max.lockAtOffset),
      }
      : null,
    minTradingDays: phase?.minTradingDays ?? 0,
    timeLimitDays: phase?.timeLimitDays ?? null,
    bestDayMaxPercent: phase?.bestDayMaxPercent ?? null,
  };
}
