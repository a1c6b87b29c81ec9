import { useSignal } from "@preact/signals";

/** One plan as the switcher shows it: display strings only (money already formatted on the server). */
export interface PlanCard {
  slug: string;
  /** Where buying this plan starts (its checkout page). */
  checkoutHref: string;
  family: string;
  size: string;
  price: string;
  target: string;
  dailyLoss: string;
  maxLoss: string;
  minDays: string;
  split: string;
  /** The best seller by paid orders (services/commerce/trust_queries.ts); at most one plan has it. */
  popular: boolean;
}

/**
 * Switches the plan cards between account sizes without a reload. The size links work without JavaScript
 * too (the server filters by `?size=`); this island only makes them instant.
 */
export default function PlanSwitcher(props: { plans: PlanCard[]; sizes: string[]; initialSize: string }) {
  const size = useSignal(props.initialSize);
  const shown = props.plans.filter((p) => p.size === size.value);

  return (
    <div>
      <nav aria-label="Account size" class="flex flex-wrap gap-2">
        {props.sizes.map((s) => (
          <a
            key={s}
            href={`?size=${s}#plans`}
            aria-current={s === size.value ? "true" : undefined}
            class="size-chip"
            onClick={(e) => {
              e.preventDefault();
              size.value = s;
              history.replaceState(null, "", `?size=${s}#plans`);
            }}
          >
            {s}
          </a>
        ))}
      </nav>
      <ul class="mt-6 grid gap-6 md:grid-cols-2" aria-live="polite">
        {shown.map((plan) => (
          <li
            key={plan.slug}
            class={`card flex flex-col ${plan.popular ? "border-brand ring-1 ring-brand" : ""}`}
          >
            <div class="flex flex-wrap items-start justify-between gap-2">
              <h3 class="text-lg font-semibold">
                {plan.family} <span class="text-muted">· {plan.size}</span>
              </h3>
              {plan.popular && (
                <p class="rounded-full bg-brand-strong px-2.5 py-0.5 text-xs font-semibold text-on-brand">
                  Most popular
                </p>
              )}
            </div>
            <p class="mt-2 text-3xl font-semibold tracking-tight tabular-nums">{plan.price}</p>
            <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <dt class="text-muted">Profit target</dt>
              <dd>{plan.target}</dd>
              <dt class="text-muted">Daily loss</dt>
              <dd>{plan.dailyLoss}</dd>
              <dt class="text-muted">Max loss</dt>
              <dd>{plan.maxLoss}</dd>
              <dt class="text-muted">Min. trading days</dt>
              <dd>{plan.minDays}</dd>
              <dt class="text-muted">Profit split</dt>
              <dd>{plan.split}</dd>
            </dl>
            <a href={plan.checkoutHref} class="btn-primary mt-6 self-start">
              Start this challenge <span class="sr-only">({plan.family} {plan.size})</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
