import { define, setMeta } from "../_define.ts";
import { page, type RouteConfig } from "../../lib/define.ts";
import { listActivePlans } from "../../services/plans/queries.ts";
import { mostPopularPlanId } from "../../services/commerce/trust_queries.ts";
import { describePlan } from "../../services/plans/describe.ts";
import { acrossPhases } from "../../services/plans/rule_terms.ts";
import { compactSize, formatMoney } from "../../services/money.ts";
import PlanSwitcher, { type PlanCard } from "../../islands/plan_switcher.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";

/**
 * Public and identical for everyone (per `?size=`): cached whole, its island's boot script allowed by hash
 * (lib/app/cached_pages.ts), until plans change — the plans editor's new versions, activation and the
 * "most popular" flag all invalidate "plans" (services/plans/admin.ts) — and for at most 5 minutes, since
 * without a flag "most popular" is counted from paid orders, which no page-level event announces.
 */
export const config: RouteConfig = { cache: { tags: ["plans"], maxAgeSeconds: 300 } };

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Challenges",
      "Compare our one-step and two-step trading evaluations by account size, targets, loss limits and price.",
    );
    const [plans, popularId] = await Promise.all([
      listActivePlans(ctx.state.deps.db),
      mostPopularPlanId(ctx.state.deps.db),
    ]);
    const sizes = [...new Set(plans.map((p) => p.initialBalance))]
      .sort((a, b) => Number(a) - Number(b))
      .map(compactSize);
    const requested = ctx.url.searchParams.get("size");
    const initialSize = requested && sizes.includes(requested)
      ? requested
      : sizes.includes("100K")
      ? "100K"
      : sizes[0] ?? "";

    const cards: PlanCard[] = plans.map((plan) => {
      const summary = describePlan(plan.definition);
      return {
        slug: plan.slug,
        checkoutHref: `/checkout/${plan.id}`,
        family: plan.family,
        size: compactSize(plan.initialBalance),
        price: formatMoney(plan.price, plan.currency),
        ...summary.card,
        split: summary.profitSplit,
        popular: plan.id === popularId,
      };
    });
    const families = [...new Set(plans.map((p) => p.family))].map((family) => ({
      family,
      plans: plans.filter((p) => p.family === family).map((p) => ({
        id: p.id,
        slug: p.slug,
        size: compactSize(p.initialBalance),
        summary: describePlan(p.definition),
        popular: p.id === popularId,
      })),
    }));
    return page({ cards, sizes, initialSize, families });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Challenges</h1>
    <p class="mt-4 max-w-2xl text-muted">
      Pick an account size, pass the evaluation, trade a funded account. Every limit below is the exact one
      the rule engine enforces.
    </p>

    <section id="plans" aria-labelledby="plans-heading" class="mt-10">
      <h2 id="plans-heading" class="sr-only">Plans by account size</h2>
      {data.cards.length === 0
        ? <p class="card">No challenges are on sale right now.</p>
        : <PlanSwitcher plans={data.cards} sizes={data.sizes} initialSize={data.initialSize} />}
    </section>

    {data.families.map(({ family, plans }) => (
      <section key={family} aria-labelledby={`cmp-${family}`} class="mt-16">
        <h2 id={`cmp-${family}`} class="text-2xl font-bold tracking-tight">{family} — full comparison</h2>
        <ScrollRegion
          label={`${family} comparison table, scrolls sideways`}
          class="mt-6 rounded-xl border border-line"
        >
          <table class="w-full min-w-[48rem] text-left text-sm">
            <caption class="sr-only">{family} plans compared by account size</caption>
            <thead class="bg-raised">
              <tr>
                <th scope="col" class="p-3">Rule</th>
                {plans.map((p) => (
                  <th key={p.slug} scope="col" class="p-3">
                    {p.size}
                    {p.popular && (
                      <span class="ml-2 text-xs font-semibold text-brand-strong">Most popular</span>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <Row
                label="Price"
                cells={plans.map((p) =>
                  formatMoney(p.summary.price, p.summary.currency)
                )}
              />
              {plans[0].summary.phases.map((phase, i) => (
                <Row
                  key={phase.name}
                  label={`${phase.name}: profit target`}
                  cells={plans.map((p) => p.summary.phases[i]?.target ?? "—")}
                />
              ))}
              <Row
                label="Daily loss"
                cells={plans.map((p) =>
                  p.summary.phases[0].dailyLoss
                )}
              />
              <Row label="Max loss" cells={plans.map((p) => p.summary.phases[0].maxLoss)} />
              <Row
                label="Min. trading days"
                cells={plans.map((p) => acrossPhases(p.summary.phases.map((ph) => ph.minDays)))}
              />
              <Row
                label="Time limit"
                cells={plans.map((p) => acrossPhases(p.summary.phases.map((ph) => ph.timeLimit)))}
              />
              <Row
                label="Consistency"
                cells={plans.map((p) => acrossPhases(p.summary.phases.map((ph) => ph.consistency)))}
              />
              <Row label="Daily reset" cells={plans.map((p) => p.summary.reset)} />
              <Row label="Profit split" cells={plans.map((p) => p.summary.profitSplit)} />
              <Row label="Payouts" cells={plans.map((p) => p.summary.payouts)} />
              <tr class="border-t border-line">
                <th scope="row" class="p-3 font-medium">Buy</th>
                {plans.map((p) => (
                  // `relative` keeps the link's screen-reader text inside the scrolling box: an absolutely
                  // positioned descendant of no positioned ancestor would widen the whole page.
                  <td key={p.slug} class="relative p-3">
                    <a class="link font-semibold" href={`/checkout/${p.id}`}>
                      Start {p.size} <span class="sr-only">{family} challenge</span>
                    </a>
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </ScrollRegion>
      </section>
    ))}
  </div>
));

function Row(props: { label: string; cells: string[] }) {
  return (
    <tr class="border-t border-line align-top">
      <th scope="row" class="p-3 font-medium">{props.label}</th>
      {props.cells.map((cell, i) => <td key={i} class="p-3">{cell}</td>)}
    </tr>
  );
}
