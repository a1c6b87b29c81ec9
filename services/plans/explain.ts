import { formatMoney, fromMinor, percentOf, toMinor } from "../money.ts";
import { percent } from "../money_format.ts";
import type { PlanDefinition } from "./definition.ts";
import { ANCHOR_WORDS, planTerms } from "./rule_terms.ts";
import type { PlanRules, RuleExplanation } from "./explain_types.ts";

export type { PlanRules, RuleExplanation };

/**
 * The /rules page's explanations: every rule of a plan in plain language with worked money examples, and
 * the per-size figures, computed from the rules the engine compiles (rule_terms.ts; describe.ts keeps the
 * compact summaries of /challenges and checkout).
 */
/** Per-size figures of one plan: what a trader of that size must reach and must stay above. */
export interface PlanFigures {
  initialBalance: string;
  /** Per phase: the balance that meets the target, or null for a phase without one. */
  targetBalances: (string | null)[];
  /** The first phase's daily floor on a day that starts at the initial balance, or null without a limit. */
  dailyFloor: string | null;
  /** The first phase's overall floor at the start. */
  maxLossFloor: string | null;
}

const FUNDED = "Funded account";

/**
 * The plan's rules in plain language with worked examples in money, computed from the same definition the
 * engine enforces (DESIGN.md §3): a breach is equity (or balance) strictly below a floor, a target is met by
 * the balance with no open positions, consistency only delays a pass.
 */
export function explainRules(plan: PlanDefinition): PlanRules {
  const money = (amount: string) => formatMoney(amount, plan.currency);
  const B0 = plan.initialBalance;
  const add = (a: string, b: string) => fromMinor(toMinor(a) + toMinor(b));
  const sub = (a: string, b: string) => fromMinor(toMinor(a) - toMinor(b));
  const stages = planTerms(plan);
  const phases = stages.slice(0, plan.phases.length);
  const account = `On a ${money(B0)} account`;
  const resetAt = `${plan.reset.time} ${plan.reset.timeZone} time`;

  const profitTarget = group(phases.map((s) => [s.name, s]), (s) => {
    if (s.targetAmount === null) return { text: "No profit target.", examples: [] };
    const rule = plan.phases[stages.indexOf(s)].profitTarget!;
    const amount = s.targetAmount;
    const sized = "percent" in rule
      ? `${percent(rule.percent)} of the initial balance (${money(amount)})`
      : money(amount);
    return {
      text:
        `Reach a profit of ${sized}. The target counts when your balance reaches it with every position closed.`,
      examples: [`${account}, your balance must reach ${money(add(B0, amount))} with no open positions.`],
    };
  }, (s) => s.targetAmount === null ? null : plan.phases[stages.indexOf(s)].profitTarget);

  const dailyLoss = group(
    stages.map((s) => [s.name, s.dailyLoss] as const),
    (terms) => {
      if (!terms) return { text: "No daily loss limit.", examples: [] };
      const { rule, floorFrom } = terms;
      const basis = rule.on === "equity" ? "equity (including open positions)" : "balance";
      const size = "percent" in rule && rule.of === "anchor"
        ? `${percent(rule.percent)} of that level`
        : terms.size;
      const consequence = rule.action === "fail"
        ? "If it does, the account fails."
        : `If it does, open positions are closed and trading is paused until the next reset at ${resetAt}; the account does not fail.`;
      const measured = rule.on === "equity" ? "equity" : "balance";
      const examples = [
        `${account}, on a day that starts at ${money(B0)} your ${measured} must not fall below ${
          money(floorFrom(B0))
        } that day.`,
      ];
      if (rule.anchor !== "initial") {
        const later = add(B0, percentOf(B0, "2"));
        const how = rule.anchor === "sod_max"
          ? "the higher of your balance and equity is"
          : rule.anchor === "sod_equity"
          ? "your equity is"
          : "your balance is";
        examples.push(
          `If ${how} ${money(later)} at a reset, your ${measured} must not fall below ${
            money(floorFrom(later))
          } the next day.`,
        );
      }
      return {
        text: `Each day the ${basis} may fall at most ${size} below ${
          ANCHOR_WORDS[rule.anchor]
        }, fixed at ${resetAt}. ${consequence}`,
        examples,
      };
    },
    (terms) => terms?.rule ?? null,
  );

  const maxLoss = group(
    stages.map((s) => [s.name, s.maxLoss] as const),
    (terms) => {
      if (!terms) return { text: "No overall loss limit.", examples: [] };
      const { rule, amount, start, lock, size } = terms;
      if (rule.mode === "static") {
        return {
          text:
            `Your equity may never fall more than ${size} below the initial balance. If it does, the account fails.`,
          examples: [`${account}, your equity must never fall below ${money(start)}.`],
        };
      }
      const peak = add(B0, percentOf(B0, "4"));
      const moved = sub(peak, amount);
      const floor = lock !== null && toMinor(moved) > toMinor(lock) ? lock : moved;
      const what = rule.mode === "trailing_eod" ? "end-of-day balance" : "equity (including open profit)";
      const examples = [
        `${account}, the floor starts at ${money(start)}. After a ${
          rule.mode === "trailing_eod" ? "day that ends with a balance of" : "peak in equity at"
        } ${money(peak)} it rises to ${money(floor)}, and stays there if your account falls back.`,
      ];
      if (lock !== null) {
        examples.push(
          `Once the floor reaches ${
            money(lock)
          } it stops rising: from then on your equity must never fall below ${money(lock)}.`,
        );
      }
      return {
        text: `Your equity may never fall more than ${size} below your highest ${what}${
          rule.mode === "trailing_eod" ? ", updated at each daily reset" : ""
        }. The floor moves up, never down${
          lock !== null ? `, and stops at ${money(lock)}` : ""
        }. If your equity falls below it, the account fails.`,
        examples,
      };
    },
  );

  const minTradingDays = group(plan.phases.map((p) => [p.name, p.minTradingDays]), (days) => ({
    text: days === 0
      ? "No minimum number of trading days."
      : `Trade on at least ${days} different days. A trading day runs from one daily reset to the next (${resetAt}) and counts when you open at least one trade in it.`,
    examples: [],
  }));

  const timeLimit = group(plan.phases.map((p) => [p.name, p.timeLimitDays]), (days) => ({
    text: days === null
      ? "No time limit: take as long as you need."
      : `Pass within ${days} days; if the time runs out before you pass, the phase fails.`,
    examples: [],
  }));

  const consistency = group(
    // Phases without the rule share one "none"; with it, the example depends on each phase's target.
    phases.map((s) => [
      s.name,
      s.bestDayMaxPercent === null ? null : { best: s.bestDayMaxPercent, target: s.targetAmount },
    ]),
    (rule) => {
      if (rule === null) return { text: "No consistency rule.", examples: [] };
      const { best, target } = rule;
      const examples: string[] = [];
      if (target !== null && Number(best) < 100) {
        const amount = target;
        examples.push(
          `${account}, if you made the whole ${
            money(amount)
          } target in one day, keep trading until your total profit is at least ${
            money(divideByPercent(amount, best))
          }.`,
        );
      }
      return {
        text: `Your best day's profit may be at most ${
          percent(best)
        } of your total profit. This never fails the account: it only delays the pass until your other days catch up.`,
        examples,
      };
    },
  );

  const split = plan.funded.profitSplitPercent;
  const sampleProfit = percentOf(B0, "5");
  return {
    currency: plan.currency,
    initialBalance: B0,
    reset: `${plan.reset.time} in the ${plan.reset.timeZone} time zone`,
    profitTarget,
    dailyLoss,
    maxLoss,
    minTradingDays,
    timeLimit,
    consistency,
    profitSplit: {
      appliesTo: [FUNDED],
      text: `You keep ${percent(split)} of the profit you make on the funded account.`,
      examples: [
        `${account}, on ${money(sampleProfit)} of profit you receive ${
          money(percentOf(sampleProfit, split))
        }.`,
      ],
    },
    payouts: {
      appliesTo: [FUNDED],
      text: `Request a payout every ${plan.funded.payoutIntervalDays} days once your share is at least ${
        money(plan.funded.minPayout)
      }.`,
      examples: [],
    },
  };

  /** Explains each distinct value once, naming every stage it applies to (in order). */
  function group<T>(
    entries: (readonly [string, T])[],
    explain: (value: T) => Omit<RuleExplanation, "appliesTo">,
    key: (value: T) => unknown = (v) => v,
  ): RuleExplanation[] {
    const groups = new Map<string, { value: T; appliesTo: string[] }>();
    for (const [stage, value] of entries) {
      const k = JSON.stringify(key(value));
      const found = groups.get(k);
      if (found) found.appliesTo.push(stage);
      else groups.set(k, { value, appliesTo: [stage] });
    }
    return [...groups.values()].map((g) => ({ appliesTo: g.appliesTo, ...explain(g.value) }));
  }
}

/** The key figures of one plan size, for a table of every size in a family. */
export function planFigures(plan: PlanDefinition): PlanFigures {
  const B0 = plan.initialBalance;
  const phases = planTerms(plan).slice(0, plan.phases.length);
  return {
    initialBalance: B0,
    targetBalances: phases.map((s) =>
      s.targetAmount === null ? null : fromMinor(toMinor(B0) + toMinor(s.targetAmount))
    ),
    dailyFloor: phases[0].dailyLoss?.floorFrom(B0) ?? null,
    maxLossFloor: phases[0].maxLoss?.start ?? null,
  };
}

/** `amount` × 100 / `percent`, rounded up to the cent: the total whose `percent` % is `amount`. */
function divideByPercent(amount: string, percent: string): string {
  const [whole, frac = ""] = percent.split(".");
  const scaled = BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0")); // percent × 100
  const numerator = toMinor(amount) * 100n * 100n;
  return fromMinor((numerator + scaled - 1n) / scaled);
}
