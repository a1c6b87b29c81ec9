import { define, setMeta } from "./_define.ts";
import { page, type RouteConfig } from "../lib/define.ts";
import { listActivePlans } from "../services/plans/queries.ts";
import { compactSize, formatMoney } from "../services/money.ts";
import { listPublishedTestimonials } from "../services/testimonials/queries.ts";
import { Testimonials } from "../components/testimonials.tsx";

/** Public and identical for everyone: cached whole until plans or published testimonials change. */
export const config: RouteConfig = { cache: { tags: ["plans", "testimonials"] } };

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Get funded to trade",
      "Pass a trading evaluation with transparent, live-checked rules and trade a funded account with up to a 90 % profit split.",
    );
    const [plans, testimonials] = await Promise.all([
      listActivePlans(ctx.state.deps.db),
      listPublishedTestimonials(ctx.state.deps.db),
    ]);
    const sizes = [...new Set(plans.map((p) => p.initialBalance))].sort((a, b) => Number(a) - Number(b));
    const splits = plans.map((p) => Number(p.definition.funded.profitSplitPercent));
    const cheapest = plans.reduce<(typeof plans)[number] | null>(
      (min, p) => (!min || Number(p.price) < Number(min.price) ? p : min),
      null,
    );
    return page({
      planCount: plans.length,
      families: [...new Set(plans.map((p) => p.family))],
      sizeRange: sizes.length ? `${compactSize(sizes[0])}–${compactSize(sizes.at(-1)!)}` : null,
      maxSplit: splits.length ? Math.max(...splits) : null,
      fromPrice: cheapest ? formatMoney(cheapest.price, cheapest.currency) : null,
      testimonials,
    });
  },
});

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
    <section class="container-page py-16 sm:py-24">
      <p class="text-sm font-semibold uppercase tracking-wider text-brand">
        Proprietary trading, done openly
      </p>
      <h1 class="mt-3 max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">
        Prove your edge. Trade our capital. Keep up to {data.maxSplit ?? 80} % of the profit.
      </h1>
      <p class="mt-6 max-w-2xl text-lg text-muted">
        Every rule is published with worked examples, evaluated live, and explained when it triggers — no
        hidden conditions between you and a payout.
      </p>
      <div class="mt-8 flex flex-wrap gap-4">
        <a href="/challenges" class="btn-primary">See the challenges</a>
      </div>
    </section>

    <section aria-labelledby="numbers" class="border-y border-line bg-raised">
      <h2 id="numbers" class="sr-only">Key numbers</h2>
      <dl class="container-page grid grid-cols-2 gap-6 py-10 sm:grid-cols-4">
        <Stat label="Challenges on offer" value={String(data.planCount)} />
        <Stat label="Account sizes" value={data.sizeRange ?? "—"} />
        <Stat label="Profit split up to" value={data.maxSplit === null ? "—" : `${data.maxSplit} %`} />
        <Stat label="Challenges from" value={data.fromPrice ?? "—"} />
      </dl>
    </section>

    <section aria-labelledby="how" class="container-page py-16">
      <h2 id="how" class="text-2xl font-bold tracking-tight">How it works</h2>
      <ol class="mt-8 grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
        {STEPS.map((step, i) => (
          <li key={step.title} class="card">
            <p class="text-sm font-semibold text-brand">Step {i + 1}</p>
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
  </>
));

function Stat(props: { label: string; value: string }) {
  return (
    <div>
      <dt class="text-sm text-muted">{props.label}</dt>
      <dd class="mt-1 text-2xl font-bold tracking-tight">{props.value}</dd>
    </div>
  );
}
