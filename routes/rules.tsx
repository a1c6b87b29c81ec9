import { define, setMeta } from "./_define.ts";
import { page, type RouteConfig } from "../lib/define.ts";
import { type ActivePlan, listActivePlans } from "../services/plans/queries.ts";
import { explainRules, type PlanFigures, planFigures, type PlanRules } from "../services/plans/explain.ts";
import { compactSize, formatMoney } from "../services/money.ts";
import type { PlanDefinition } from "../services/plans/definition.ts";
import { RuleCards } from "../components/rule_cards.tsx";
import { ScrollRegion } from "../components/scroll_region.tsx";

/** Public and identical for everyone: cached whole until plans change. */
export const config: RouteConfig = { cache: { tags: ["plans"] } };

/** The size the worked examples use when a family offers it (the industry's reference account). */
const REFERENCE_BALANCE = 100_000;

interface RuleSet {
  /** Anchor id, unique on the page. */
  id: string;
  family: string;
  /** Set when a family's sizes do not all share the same rules: which sizes this set covers. */
  sizesLabel: string | null;
  phases: string[];
  rules: PlanRules;
  sizes: (PlanFigures & { currency: string })[];
}

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Trading rules",
      "Every challenge rule in plain language — profit targets, daily and maximum loss, trading days, " +
        "consistency and payouts — with worked examples in money, generated from the rules our engine enforces.",
    );
    return page({ sets: ruleSets(await listActivePlans(ctx.state.deps.db)) });
  },
});

/**
 * One explained rule set per family, or several when sizes of a family differ in more than their balance
 * and price: the text then always describes the plans it sits next to.
 */
function ruleSets(plans: ActivePlan[]): RuleSet[] {
  const byShape = new Map<string, ActivePlan[]>();
  for (const plan of plans) {
    const key = `${plan.family}\u0000${shape(plan.definition)}`;
    byShape.set(key, [...byShape.get(key) ?? [], plan]);
  }
  const groups = [...byShape.values()];
  const perFamily = new Map<string, number>();
  for (const group of groups) perFamily.set(group[0].family, (perFamily.get(group[0].family) ?? 0) + 1);
  return groups.map((group, i) => {
    const family = group[0].family;
    const reference = group.reduce((best, p) =>
      Math.abs(Number(p.initialBalance) - REFERENCE_BALANCE) <
          Math.abs(Number(best.initialBalance) - REFERENCE_BALANCE)
        ? p
        : best
    );
    return {
      id: `rules-${i + 1}`,
      family,
      sizesLabel: perFamily.get(family)! > 1
        ? group.map((p) => compactSize(p.initialBalance)).join(", ")
        : null,
      phases: reference.definition.phases.map((p) => p.name),
      rules: explainRules(reference.definition),
      sizes: group.map((p) => ({ ...planFigures(p.definition), currency: p.currency })),
    };
  });
}

/** A plan's rules without what varies by size (name, balance, price), with fixed amounts kept. */
function shape(d: PlanDefinition): string {
  const { name: _n, initialBalance: _b, price: _p, ...rules } = d;
  return JSON.stringify(rules);
}

const GUIDELINES = [
  "Risk a small, fixed share of the daily limit on each trade, so that one stop-loss never ends the day.",
  "Set a stop-loss on every position and size it for the distance to the stop, not for the profit target.",
  "Keep a buffer above every floor: spreads widen, orders slip and markets gap over weekends and news.",
  "Open positions count at the daily reset: a losing position carried over can breach the new day's limit " +
  "before you place another trade.",
  "Stop for the day after a set loss of your own, well before the firm's limit is reached.",
  "Take the time the rules allow: forcing trades to reach the target sooner is how many accounts fail.",
];

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Trading rules</h1>
    <p class="mt-4 max-w-3xl text-lg text-muted">
      This page is generated from the same plan definitions our rule engine enforces, so it cannot disagree
      with how your account is judged. Every rule is checked live, on every change of your equity.
    </p>

    <nav aria-labelledby="toc-heading" class="card mt-8 max-w-3xl">
      <h2 id="toc-heading" class="font-semibold">On this page</h2>
      <ul class="mt-3 grid gap-2 sm:grid-cols-2">
        {data.sets.map((set) => (
          <li key={set.id}>
            <a class="link" href={`#${set.id}`}>{setTitle(set)}</a>
          </li>
        ))}
        <li>
          <a class="link" href="#breaches">What happens on a breach</a>
        </li>
        <li>
          <a class="link" href="#guidelines">Risk-management guidelines</a>
        </li>
      </ul>
    </nav>

    {data.sets.length === 0 && (
      <p class="card mt-10">No challenges are on sale right now, so there are no rules to show.</p>
    )}

    {data.sets.map((set) => <RuleSetSection key={set.id} set={set} />)}

    <section id="breaches" aria-labelledby="breaches-heading" class="mt-16 max-w-3xl">
      <h2 id="breaches-heading" class="text-2xl font-bold tracking-tight">What happens on a breach</h2>
      <ul class="mt-4 list-disc space-y-3 pl-6">
        <li>
          <strong>Fail</strong>: a hard breach ends the account at once. A failed account stays failed; you
          can start again with a new challenge.
        </li>
        <li>
          <strong>Pause</strong>: where a plan says so, breaching the daily limit closes your open positions
          and blocks trading until the next daily reset. The account does not fail and continues the next day.
        </li>
        <li>
          Missing the time limit fails the phase; the consistency rule never fails an account, it only delays
          the pass.
        </li>
        <li>
          Every breach is recorded with its evidence — the rule, the floor, the value observed, the time and
          the open positions — so each verdict can be checked and replayed.
        </li>
      </ul>
      <p class="mt-4 text-muted">
        Each plan's consequence and daily reset time are stated with its rules above.
      </p>
    </section>

    <section id="guidelines" aria-labelledby="guidelines-heading" class="mt-16 max-w-3xl">
      <h2 id="guidelines-heading" class="text-2xl font-bold tracking-tight">Risk-management guidelines</h2>
      <p class="mt-4 text-muted">
        Not rules, and not investment advice: habits that keep traders inside the limits.
      </p>
      <ul class="mt-4 list-disc space-y-3 pl-6">
        {GUIDELINES.map((text) => <li key={text}>{text}</li>)}
      </ul>
    </section>
  </div>
));

function setTitle(set: RuleSet): string {
  return set.sizesLabel ? `${set.family} (${set.sizesLabel})` : set.family;
}

function RuleSetSection({ set }: { set: RuleSet }) {
  const { rules } = set;
  const money = (amount: string) => formatMoney(amount, rules.currency);
  return (
    <section id={set.id} aria-labelledby={`${set.id}-heading`} class="mt-16">
      <h2 id={`${set.id}-heading`} class="text-2xl font-bold tracking-tight">{setTitle(set)}</h2>
      <dl class="mt-4 grid max-w-3xl gap-x-8 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt class="font-semibold">Phases</dt>
        <dd class="text-muted">{[...set.phases, "Funded account"].join(" → ")}</dd>
        <dt class="font-semibold">Daily reset</dt>
        <dd class="text-muted">{rules.reset}</dd>
        <dt class="font-semibold">Worked examples</dt>
        <dd class="text-muted">use the {money(rules.initialBalance)} account</dd>
      </dl>

      <div class="mt-8 grid gap-6 lg:grid-cols-2">
        <RuleCards rules={rules} />
      </div>

      <h3 id={`${set.id}-sizes`} class="mt-10 text-lg font-semibold">
        {setTitle(set)}: the same rules in every account size
      </h3>
      {/* Focusable so keyboard users can scroll the table sideways on narrow screens. */}
      <ScrollRegion labelledBy={`${set.id}-sizes`} class="mt-4 rounded-xl border border-line">
        <table class="w-full min-w-[36rem] text-left text-sm">
          <caption class="sr-only">{setTitle(set)}: figures by account size</caption>
          <thead class="bg-raised">
            <tr>
              <th scope="col" class="p-3">Account</th>
              {set.phases.map((name) => <th key={name} scope="col" class="p-3">{name}: balance to reach</th>)}
              <th scope="col" class="p-3">Day-one daily floor</th>
              <th scope="col" class="p-3">Starting max-loss floor</th>
            </tr>
          </thead>
          <tbody>
            {set.sizes.map((size) => {
              const m = (amount: string | null) =>
                amount === null ? "None" : formatMoney(amount, size.currency);
              return (
                <tr key={size.initialBalance} class="border-t border-line">
                  <th scope="row" class="p-3 font-medium">{m(size.initialBalance)}</th>
                  {size.targetBalances.map((b, i) => <td key={i} class="p-3">{m(b)}</td>)}
                  <td class="p-3">{m(size.dailyFloor)}</td>
                  <td class="p-3">{m(size.maxLossFloor)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}
