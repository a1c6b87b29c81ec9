import { formatMoney, fromMinor, toMinor } from "../money.ts";
import { percent } from "../money_format.ts";
import type { PlanDefinition } from "./definition.ts";
import { acrossPhases, ANCHOR_WORDS, MAX_BASE_WORDS, planTerms, type StageTerms } from "./rule_terms.ts";

/**
 * Plain-language rule text built from the rules the engine compiles (rule_terms.ts), so what a trader
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
  /** The short forms a plan card shows; a value every phase shares is said once. */
  card: { target: string; dailyLoss: string; maxLoss: string; minDays: string };
  profitSplit: string;
  payouts: string;
  reset: string;
}

export function describePlan(plan: PlanDefinition): PlanSummary {
  const money = (amount: string) => formatMoney(amount, plan.currency);
  const B0 = plan.initialBalance;
  const stages = planTerms(plan);
  const phases = stages.slice(0, plan.phases.length);

  const dailyLoss = ({ dailyLoss: terms }: StageTerms) => {
    if (!terms) return "No daily limit";
    const { rule } = terms;
    // A share of the anchor has no single amount: show it on a day that starts at the initial balance.
    const size = "percent" in rule && rule.of === "anchor"
      ? `${terms.size} (${
        money(fromMinor(toMinor(B0) - toMinor(terms.floorFrom(B0))))
      } on a day that starts at ${money(B0)})`
      : `${terms.size} below ${ANCHOR_WORDS[rule.anchor]}`;
    const consequence = rule.action === "fail" ? "fails the account" : "pauses trading until the next reset";
    return `${
      rule.on === "equity" ? "Equity" : "Balance"
    } may fall at most ${size}; going below ${consequence}.`;
  };

  const maxLoss = ({ maxLoss: terms }: StageTerms) => {
    if (!terms) return "No overall limit";
    const { rule } = terms;
    const mode = rule.mode === "static" ? "stays fixed" : `trails ${MAX_BASE_WORDS[rule.mode]}`;
    const lock = terms.lock !== null ? `, and stops trailing at ${money(terms.lock)}` : "";
    return `${"percent" in rule ? `${percent(rule.percent)} ` : ""}(${
      money(terms.amount)
    }); the floor ${mode}${lock}. It starts at ${money(terms.start)}.`;
  };

  return {
    name: plan.name,
    currency: plan.currency,
    initialBalance: B0,
    price: plan.price,
    phases: phases.map((stage) => ({
      name: stage.name,
      target: stage.target,
      dailyLoss: dailyLoss(stage),
      maxLoss: maxLoss(stage),
      minDays: stage.minTradingDays === 0 ? "None" : `${stage.minTradingDays} trading days`,
      timeLimit: stage.timeLimitDays === null ? "Unlimited" : `${stage.timeLimitDays} days`,
      consistency: stage.bestDayMaxPercent === null
        ? "None"
        : `Best day at most ${percent(stage.bestDayMaxPercent)} of total profit`,
    })),
    card: {
      target: acrossPhases(phases.map((s) => s.target)),
      dailyLoss: phases[0].dailyLoss?.short ?? "None",
      maxLoss: phases[0].maxLoss?.short ?? "None",
      minDays: acrossPhases(phases.map((s) => s.minTradingDays === 0 ? "none" : String(s.minTradingDays))),
    },
    profitSplit: percent(plan.funded.profitSplitPercent),
    payouts: `Every ${plan.funded.payoutIntervalDays} days, from ${money(plan.funded.minPayout)}`,
    reset: `${plan.reset.time} ${plan.reset.timeZone}`,
  };
}
