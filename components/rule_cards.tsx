import type { PlanRules, RuleExplanation } from "../services/plans/explain_types.ts";

/**
 * Every rule of a plan in plain language with its worked examples (services/plans/explain.ts): cards on
 * /rules, a compact list in the plan editor's preview, so staff see exactly the words traders will read.
 * Imports nothing but types, so islands can use it.
 */
export function RuleCards(props: { rules: PlanRules; compact?: boolean }) {
  const { rules, compact = false } = props;
  const sections: [string, RuleExplanation[]][] = [
    ["Profit target", rules.profitTarget],
    ["Daily loss limit", rules.dailyLoss],
    ["Maximum loss", rules.maxLoss],
    ["Minimum trading days", rules.minTradingDays],
    ["Time limit", rules.timeLimit],
    ["Consistency", rules.consistency],
    ["Profit split", [rules.profitSplit]],
    ["Payouts", [rules.payouts]],
  ];
  return (
    <>
      {sections.map(([title, items]) => (
        <RuleCard
          key={title}
          title={title}
          items={items}
          compact={compact}
        />
      ))}
    </>
  );
}

function RuleCard(props: { title: string; items: RuleExplanation[]; compact: boolean }) {
  const { compact } = props;
  const Heading = compact ? "h4" : "h3";
  return (
    <article class={compact ? "border-t border-line pt-3 text-sm" : "card"}>
      <Heading class={compact ? "font-semibold" : "text-lg font-semibold"}>{props.title}</Heading>
      {props.items.map((item, i) => (
        <div key={i} class={compact ? "mt-1" : "mt-3"}>
          <p class="text-xs font-semibold uppercase tracking-wider text-muted">
            {item.appliesTo.join(" · ")}
          </p>
          <p class={compact ? "mt-0.5" : "mt-1"}>{item.text}</p>
          {item.examples.map((example) => (
            <p
              key={example}
              class={compact
                ? "mt-1 border-l-4 border-brand pl-3"
                : "mt-2 border-l-4 border-brand pl-3 text-sm"}
            >
              <span class="font-semibold">Example:</span> {example}
            </p>
          ))}
        </div>
      ))}
    </article>
  );
}
