import { define, setMeta } from "./_define.ts";
import { page, type RouteConfig } from "../lib/define.ts";
import { type ActivePlan, listActivePlans } from "../services/plans/queries.ts";
import { compactSize, formatMoney } from "../services/money.ts";
import { listPublishedTestimonials } from "../services/testimonials/queries.ts";
import { trustFigures } from "../services/commerce/trust_queries.ts";
import { listPublishedFaq } from "../services/faq/queries.ts";
import type { FaqEntry } from "../services/faq/search.ts";
import { buildShowcase } from "../services/demo/showcase.ts";
import { Testimonials } from "../components/testimonials.tsx";
import { EquityShowcase } from "../components/equity_showcase.tsx";
import { FaqItem } from "../components/faq_item.tsx";
import { percent } from "../components/figures.ts";

/**
 * Public and identical for everyone: cached whole until plans, testimonials or site content change, and for
 * at most 5 minutes, since the trust figures (funded traders, payouts) change with no page-level event.
 */
export const config: RouteConfig = {
  cache: { tags: ["plans", "testimonials", "site", "faq"], maxAgeSeconds: 300 },
};

/** How many FAQ answers the home page carries: the first of each category, folded. */
const HOME_FAQ = 5;

export const handler = define.handlers({
  async GET(ctx) {
    const { db } = ctx.state.deps;
    const [plans, testimonials, trust, faq] = await Promise.all([
      listActivePlans(db),
      listPublishedTestimonials(db),
      trustFigures(db),
      listPublishedFaq(db),
    ]);
    const sizes = [...new Set(plans.map((p) => p.initialBalance))].sort((a, b) => Number(a) - Number(b));
    const splits = plans.map((p) => Number(p.definition.funded.profitSplitPercent));
    // One figure for the hero, the key numbers and the description, so none of them promises a split
    // that no published plan offers; with no plans none claims a number.
    const topSplit = splits.length ? percent(String(Math.max(...splits))) : null;
    setMeta(
      ctx.state,
      "Get funded to trade",
      "Pass a trading evaluation with transparent, live-checked rules and trade a funded account " +
        (topSplit ? `with a profit split of up to ${topSplit}.` : "for a share of the profit."),
    );
    const cheapest = plans.reduce<ActivePlan | null>(
      (min, p) => (!min || Number(p.price) < Number(min.price) ? p : min),
      null,
    );
    const showcasePlan = plans.find((p) => p.initialBalance === "100000.00") ?? plans[0];
    return page({
      planCount: plans.length,
      families: [...new Set(plans.map((p) => p.family))],
      sizeRange: sizes.length ? `${compactSize(sizes[0])}–${compactSize(sizes.at(-1)!)}` : null,
      topSplit,
      fromPrice: cheapest ? formatMoney(cheapest.price, cheapest.currency) : null,
      testimonials,
      showcase: showcasePlan ? buildShowcase(showcasePlan.definition) : null,
      // Only figures that are real: a zero is left out, not shown as "0 traders funded".
      trust: [
        ...(trust.tradersFunded > 0
          ? [{
            label: trust.tradersFunded === 1 ? "trader funded" : "traders funded",
            value: String(trust.tradersFunded),
          }]
          : []),
        ...trust.paidOut.map((p) => ({
          label: "paid out to traders",
          value: formatMoney(p.amount, p.currency),
        })),
      ],
      faq: firstOfEachCategory(faq).slice(0, HOME_FAQ),
    });
  },
});

function firstOfEachCategory(entries: FaqEntry[]): FaqEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.category) && seen.add(e.category));
}

const STEPS = [
  { title: "Choose a challenge", text: "Pick an account size and a one- or two-step evaluation." },
  {
    title: "Pass the evaluation",
    text: "Reach the profit target within the loss limits, checked live on every tick.",
  },
  { title: "Get funded", text: "Trade a funded account with the same rules you already know." },
  { title: "Get paid", text: "Request payouts of your profit share on a fixed schedule." },
];

export default define.page<typeof handler>(({ data }) => (
  <>
    <section class="container-page grid items-center gap-12 py-14 sm:py-20 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.05fr)]">
      <div>
        <p class="text-sm font-semibold uppercase tracking-wider text-brand">
          Proprietary trading, done openly
        </p>
        <h1 class="mt-3 text-4xl font-semibold tracking-tight text-balance sm:text-5xl">
          Prove your edge. Trade our capital.{" "}
          {data.topSplit ? `Keep up to ${data.topSplit} of the profit.` : "Keep a share of the profit."}
        </h1>
        <p class="mt-6 max-w-xl text-lg text-muted">
          Every rule is published with worked examples, evaluated live, and explained when it triggers — no
          hidden conditions between you and a payout.
        </p>
        <div class="mt-8 flex flex-wrap gap-3">
          <a href="/challenges" class="btn-primary">See the challenges</a>
          <a href="/rules" class="btn-secondary">Read the rules</a>
        </div>
        {data.trust.length > 0 && (
          <dl aria-label="Track record" class="mt-10 flex flex-wrap gap-x-10 gap-y-4">
            {data.trust.map((t) => (
              <div key={t.label} class="flex flex-col-reverse">
                <dt class="text-sm text-muted">{t.label}</dt>
                <dd class="text-2xl font-semibold tracking-tight tabular-nums">{t.value}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
      {data.showcase && <EquityShowcase showcase={data.showcase} />}
    </section>

    <section aria-labelledby="numbers" class="border-y border-line bg-raised">
      <h2 id="numbers" class="sr-only">Key numbers</h2>
      <dl class="container-page grid grid-cols-2 gap-6 py-10 sm:grid-cols-4">
        <Stat label="Challenges on offer" value={String(data.planCount)} />
        <Stat label="Account sizes" value={data.sizeRange ?? "—"} />
        <Stat
          label="Profit split up to"
          value={data.topSplit ?? "—"}
        />
        <Stat label="Challenges from" value={data.fromPrice ?? "—"} />
      </dl>
    </section>

    <section aria-labelledby="how" class="container-page py-16">
      <h2 id="how" class="text-2xl font-semibold tracking-tight">How it works</h2>
      <ol class="mt-8 grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
        {STEPS.map((step, i) => (
          <li key={step.title} class="card">
            <p class="text-sm font-semibold text-brand-strong">Step {i + 1}</p>
            <h3 class="mt-2 font-semibold">{step.title}</h3>
            <p class="mt-2 text-sm text-muted">{step.text}</p>
          </li>
        ))}
      </ol>
      {data.families.length > 0 && (
        <p class="mt-8 text-muted">
          Evaluations available: {data.families.join(" and ")}.{" "}
          <a class="link" href="/challenges">Compare them</a>.
        </p>
      )}
    </section>

    <Testimonials items={data.testimonials} />

    {data.faq.length > 0 && (
      <section aria-labelledby="home-faq" class="container-page pb-8">
        <div class="flex flex-wrap items-baseline justify-between gap-4">
          <h2 id="home-faq" class="text-2xl font-semibold tracking-tight">Questions traders ask</h2>
          <a class="link" href="/faq">All questions</a>
        </div>
        <div class="mt-6 divide-y divide-line overflow-hidden rounded-xl border border-line">
          {data.faq.map((entry) => <FaqItem key={entry.slug} entry={entry} href={`/faq#${entry.slug}`} />)}
        </div>
      </section>
    )}
  </>
));

function Stat(props: { label: string; value: string }) {
  return (
    <div>
      <dt class="text-sm text-muted">{props.label}</dt>
      <dd class="mt-1 text-2xl font-semibold tracking-tight tabular-nums">{props.value}</dd>
    </div>
  );
}
