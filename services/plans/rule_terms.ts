/**
 * The one place a rule becomes words and money figures. Every figure is computed from the rules the engine
 * compiles (`compileRules`) and, for a daily floor, by the engine's own floor function, so /challenges,
 * /rules, checkout and the dashboard cannot say anything the engine does not enforce. The plan definition
 * is read only for what the compiled rule drops: the percentage a fixed amount was derived from.
 */
import { formatMoney, fromMinor, toMinor } from "../money.ts";
import { percent } from "../money_format.ts";
import { compileRules, type DailyLossAnchor, type EngineRules, type MaxLossMode } from "../engine/rules.ts";
import { dailyFloorOf, openDay } from "../engine/state.ts";
import type { DailyLossRule, MaxLossRule, PlanDefinition, ProfitTarget } from "./definition.ts";

/** The daily-loss anchors in words: the level each day's loss is measured from. */
export const ANCHOR_WORDS: Record<DailyLossAnchor, string> = {
  sod_balance: "the day's starting balance",
  sod_equity: "the day's starting equity",
  sod_max: "the higher of the day's starting balance and equity",
  initial: "the initial balance",
};

/** What a maximum-loss floor sits below, per mode. */
export const MAX_BASE_WORDS: Record<MaxLossMode, string> = {
  static: "the initial balance",
  trailing_intraday: "the highest equity reached, open profit included",
  trailing_eod: "the highest end-of-day balance",
};

/** The words and figures of one stage (a phase, or the funded account) of a plan. */
export interface StageTerms {
  name: string;
  rules: EngineRules;
  /** "10 % ($10,000)", "$3,000" or "None". */
  target: string;
  /** The target's profit above the initial balance (decimal string), or null without one. */
  targetAmount: string | null;
  dailyLoss: DailyLossTerms | null;
  maxLoss: MaxLossTerms | null;
  minTradingDays: number;
  timeLimitDays: number | null;
  bestDayMaxPercent: string | null;
}

interface DailyLossTerms {
  rule: DailyLossRule;
  /** The size and its basis, e.g. "$5,000 below the day's starting balance" or "5 % of the day's starting equity". */
  short: string;
  /** The size as a phrase inside a sentence: "$5,000 (5 % of the initial balance)" or "5 % of that level". */
  size: string;
  /** The floor on a day whose balance and equity both start at `level` (decimal strings). */
  floorFrom(level: string): string;
}

interface MaxLossTerms {
  rule: MaxLossRule;
  /** "$10,000 below the initial balance". */
  short: string;
  /** "10 % of the initial balance ($10,000)" or "$2,000". */
  size: string;
  /** The loss allowed below the base (decimal string). */
  amount: string;
  /** The floor on day one. */
  start: string;
  /** Where a trailing floor stops rising, or null. */
  lock: string | null;
}

/** Each phase's terms, then the funded account's (last), all compiled by the engine's `compileRules`. */
export function planTerms(plan: PlanDefinition): StageTerms[] {
  const stages = [...plan.phases.map((_, i) => i), "funded" as const];
  return stages.map((stage) => stageTerms(plan, stage));
}

/** The terms of one stage: `stage` is a phase index or `"funded"`. */
export function stageTerms(plan: PlanDefinition, stage: number | "funded"): StageTerms {
  const rules = compileRules(plan, stage);
  const money = (minor: bigint) => formatMoney(fromMinor(minor), plan.currency);
  const phase = stage === "funded" ? null : plan.phases[stage];
  const source = phase ?? plan.funded;
  const percentLabel = (rule: { percent: string } | { amount: string }) =>
    "percent" in rule ? `${percent(rule.percent)} of the initial balance` : null;

  const target = rules.profitTarget === null || !phase?.profitTarget
    ? null
    : { rule: phase.profitTarget as ProfitTarget, minor: rules.profitTarget };

  let dailyLoss: DailyLossTerms | null = null;
  if (rules.dailyLoss && source.dailyLoss) {
    const d = rules.dailyLoss;
    const rule = source.dailyLoss;
    const anchor = ANCHOR_WORDS[d.anchor];
    const label = percentLabel(rule);
    dailyLoss = d.amount.kind === "percent_of_anchor"
      ? {
        rule,
        short: `${percent(d.amount.percent)} of ${anchor}`,
        size: `${percent(d.amount.percent)} of ${anchor}`,
        floorFrom: (level) => fromMinor(dailyFloorAt(rules, toMinor(level))),
      }
      : {
        rule,
        short: `${money(d.amount.minor)} below ${anchor}`,
        size: label ? `${money(d.amount.minor)} (${label})` : money(d.amount.minor),
        floorFrom: (level) => fromMinor(dailyFloorAt(rules, toMinor(level))),
      };
  }

  let maxLoss: MaxLossTerms | null = null;
  if (rules.maxLoss && source.maxLoss) {
    const m = rules.maxLoss;
    const label = percentLabel(source.maxLoss);
    const lock = m.mode !== "static" && m.lockLevel !== null ? fromMinor(m.lockLevel) : null;
    maxLoss = {
      rule: source.maxLoss,
      short: `${money(m.amount)} below ${MAX_BASE_WORDS[m.mode]}${
        lock ? `, stops rising at ${formatMoney(lock, plan.currency)}` : ""
      }`,
      size: label ? `${label} (${money(m.amount)})` : money(m.amount),
      amount: fromMinor(m.amount),
      start: fromMinor(rules.initialBalance - m.amount),
      lock,
    };
  }

  return {
    name: phase?.name ?? "Funded account",
    rules,
    target: target
      ? `${"percent" in target.rule ? `${percent(target.rule.percent)} ` : ""}(${money(target.minor)})`
      : "None",
    targetAmount: target ? fromMinor(target.minor) : null,
    dailyLoss,
    maxLoss,
    minTradingDays: rules.minTradingDays,
    timeLimitDays: rules.timeLimitDays,
    bestDayMaxPercent: rules.bestDayMaxPercent,
  };
}

/**
 * The values of every phase as one phrase: a value all phases share is said once ("4"), different ones
 * read phase to phase ("10 % → 5 %").
 */
export function acrossPhases(values: string[]): string {
  return values.every((v) => v === values[0]) ? values[0] ?? "" : values.join(" → ");
}

/**
 * The engine's own daily floor for a day whose balance and equity both start at `level` (an anchor of
 * "initial" stays the initial balance, as in the engine).
 */
function dailyFloorAt(rules: EngineRules, level: bigint): bigint {
  return dailyFloorOf(rules, openDay(0, level, level, rules))!;
}
