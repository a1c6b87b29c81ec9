import { formatMoney, fromMinor, percentOf, toMinor } from "../money.ts";
import type { DailyLossRule, MaxLossRule, PlanDefinition, ProfitTarget } from "./definition.ts";

/**
 * Plain-language rule text computed from the same plan definition the engine enforces, so what a trader
 * reads can never disagree with how they are judged. Money figures are exact (decimal strings).
 */
export interface PlanSummary {
  name: string;
  currency: string;
  initialBalance: string;
  price: string;
  phases: {
    name: string;
    target: string;
    dailyLoss: string;
    maxLoss: string;
    minDays: string;
    timeLimit: string;
    consistency: string;
  }[];
  profitSplit: string;
  payouts: string;
  reset: string;
}

/** The daily-loss anchors in words (shared with explain.ts). */
export const ANCHOR_WORDS: Record<DailyLossRule["anchor"], string> = {
  sod_balance: "the balance at the daily reset",
  sod_equity: "the equity at the daily reset",
  sod_max: "the higher of balance and equity at the daily reset",
  initial: "the initial balance",
};

const MAX_MODE_WORDS: Record<MaxLossRule["mode"], string> = {
  static: "stays fixed",
  trailing_intraday: "trails the highest equity reached, including open profit",
  trailing_eod: "trails the highest end-of-day balance",
};

export function describePlan(plan: PlanDefinition): PlanSummary {
  const money = (amount: string) => formatMoney(amount, plan.currency);
  const B0 = plan.initialBalance;
  const amountOf = (rule: { percent: string } | { amount: string }, base = B0) =>
    "percent" in rule ? percentOf(base, rule.percent) : rule.amount;

  const target = (t: ProfitTarget | null) =>
    t ? `${"percent" in t ? `${t.percent} % ` : ""}(${money(amountOf(t))})` : "None";

  const dailyLoss = (rule: DailyLossRule | null) => {
    if (!rule) return "No daily limit";
    const size = "percent" in rule
      ? rule.of === "initial"
        ? `${rule.percent} % of the initial balance (${money(amountOf(rule))})`
        : `${rule.percent} % of ${ANCHOR_WORDS[rule.anchor]}`
      : money(rule.amount);
    const consequence = rule.action === "fail" ? "fails the account" : "pauses trading until the next reset";
    return `${rule.on === "equity" ? "Equity" : "Balance"} may fall at most ${size} below ${
      ANCHOR_WORDS[rule.anchor]
    }; going below ${consequence}.`;
  };

  const maxLoss = (rule: MaxLossRule | null) => {
    if (!rule) return "No overall limit";
    const amount = amountOf(rule);
    const lock = rule.mode !== "static" && rule.lockAtOffset !== null
      ? `, and stops trailing at ${money(fromMinor(toMinor(B0) + toMinor(rule.lockAtOffset)))}`
      : "";
    return `${"percent" in rule ? `${rule.percent} % ` : ""}(${money(amount)}); the floor ${
      MAX_MODE_WORDS[rule.mode]
    }${lock}. It starts at ${money(fromMinor(toMinor(B0) - toMinor(amount)))}.`;
  };

  return {
    name: plan.name,
    currency: plan.currency,
    initialBalance: B0,
    price: plan.price,
    phases: plan.phases.map((phase) => ({
      name: phase.name,
      target: target(phase.profitTarget),
      dailyLoss: dailyLoss(phase.dailyLoss),
      maxLoss: maxLoss(phase.maxLoss),
      minDays: phase.minTradingDays === 0 ? "None" : `${phase.minTradingDays} trading days`,
      timeLimit: phase.timeLimitDays === null ? "Unlimited" : `${phase.timeLimitDays} days`,
      consistency: phase.bestDayMaxPercent === null
        ? "None"
        : `Best day at most ${phase.bestDayMaxPercent} % of total profit`,
    })),
    profitSplit: `${plan.funded.profitSplitPercent} %`,
    payouts: `Every ${plan.funded.payoutIntervalDays} days, from ${money(plan.funded.minPayout)}`,
    reset: `${plan.reset.time} ${plan.reset.timeZone}`,
  };
}
