import type { ComponentChildren } from "preact";
import type { OrderSummary, Quote } from "../../../services/commerce/purchase.ts";
import type { PlanSummary } from "../../../services/plans/describe.ts";
import { formatMoney } from "../../../services/money.ts";
import { percent } from "../../../services/money_format.ts";
import { Field, FormError, Notice, SubmitButton } from "../../../components/form.tsx";

/** Everything the checkout page shows; money as decimal strings, formatted here. */
export interface CheckoutData {
  plan: { id: string; name: string; family: string; size: string; summary: PlanSummary };
  quote: Quote;
  /** The sealed one-time token the Pay form posts. */
  token: string;
  /** What the coupon field shows (the applied code, or what was typed when it was refused). */
  couponInput: string;
  couponError?: string;
  /** About the whole checkout (an expired page, payments unavailable); shown as an alert. */
  message?: string;
  /** Neutral news (the total changed). */
  notice?: string;
  /** Set when the provider has not confirmed the payment yet. */
  awaiting?: OrderSummary;
}

export function CheckoutView({ data }: { data: CheckoutData }) {
  const { plan, quote } = data;
  const money = (amount: string) => formatMoney(amount, quote.currency);
  return (
    <div class="container-page py-12">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Checkout</h1>
      <p class="mt-3 text-muted">
        <a class="link" href="/challenges">Challenges</a> <span aria-hidden="true">›</span> {plan.name}
      </p>
      <div class="mt-6 space-y-4">
        {data.message && <FormError id="checkout-error">{data.message}</FormError>}
        {data.notice && <Notice>{data.notice}</Notice>}
      </div>
      {data.awaiting
        ? <Awaiting order={data.awaiting} money={money} />
        : (
          <div class="mt-8 grid gap-8 lg:grid-cols-[1fr_24rem]">
            <PlanCard plan={plan} money={money} />
            <section aria-labelledby="order-h" class="card h-fit space-y-6">
              <h2 id="order-h" class="text-xl font-bold tracking-tight">Your order</h2>
              <dl class="grid grid-cols-[1fr_auto] gap-x-4 gap-y-2">
                <dt>{plan.name}</dt>
                <dd class="text-right tabular-nums">{money(quote.listPrice)}</dd>
                {quote.coupon && (
                  <>
                    <dt>
                      Coupon {quote.coupon.code}{" "}
                      <span class="text-muted">
                        ({quote.coupon.kind === "percent"
                          ? `${percent(quote.coupon.value)} off`
                          : `${money(quote.coupon.value)} off`})
                      </span>
                    </dt>
                    <dd class="text-right tabular-nums">−{money(quote.discount)}</dd>
                  </>
                )}
                <dt class="border-t border-line pt-2 font-semibold">Total</dt>
                <dd class="border-t border-line pt-2 text-right text-xl font-bold tabular-nums">
                  {money(quote.amount)}
                </dd>
              </dl>

              <form method="post" class="space-y-3">
                <Field
                  name="coupon"
                  label="Coupon code"
                  autocomplete="off"
                  autocapitalize="characters"
                  spellcheck={false}
                  maxLength={32}
                  value={data.couponInput}
                  error={data.couponError}
                />
                <div class="flex flex-wrap gap-3">
                  <SubmitButton intent="apply" variant="secondary">Apply coupon</SubmitButton>
                  {quote.coupon && (
                    <SubmitButton intent="remove-coupon" variant="secondary">Remove coupon</SubmitButton>
                  )}
                </div>
              </form>

              <form method="post" class="space-y-3">
                <input type="hidden" name="token" value={data.token} />
                <SubmitButton intent="pay" class="w-full">Pay {money(quote.amount)}</SubmitButton>
                <p class="text-sm text-muted">
                  One-time payment, no subscription. By paying you accept the{" "}
                  <a class="link" href="/legal/terms">terms of service</a> and the{" "}
                  <a class="link" href="/legal/risk">risk disclosure</a>.
                </p>
              </form>
            </section>
          </div>
        )}
    </div>
  );
}

/** The plan's key rules, from the same definition the engine enforces. */
function PlanCard({ plan, money }: { plan: CheckoutData["plan"]; money: (a: string) => string }) {
  const s = plan.summary;
  return (
    <section aria-labelledby="plan-h" class="card">
      <h2 id="plan-h" class="text-xl font-bold tracking-tight">
        {plan.family} <span class="text-muted">· {plan.size}</span>
      </h2>
      <p class="mt-1 text-muted">
        {money(s.initialBalance)} evaluation account,{" "}
        {s.phases.length === 1 ? "one phase" : `${s.phases.length} phases`}
      </p>
      <dl class="mt-6 space-y-4 text-sm">
        {s.phases.map((phase, i) => (
          <div key={i}>
            <dt class="font-semibold">{phase.name}: profit target</dt>
            <dd class="text-muted">
              {phase.target}
              {phase.minDays !== "None" && `, at least ${phase.minDays}`}
              {phase.timeLimit !== "Unlimited" && `, within ${phase.timeLimit}`}
              {phase.consistency !== "None" && `. ${phase.consistency}`}
            </dd>
          </div>
        ))}
        <Rule term="Daily loss">{s.phases[0].dailyLoss}</Rule>
        <Rule term="Maximum loss">{s.phases[0].maxLoss}</Rule>
        <Rule term="Daily reset">{s.reset}</Rule>
        <Rule term="Funded account">Profit split {s.profitSplit}. Payouts: {s.payouts.toLowerCase()}.</Rule>
      </dl>
      <p class="mt-6 text-sm">
        <a class="link" href="/rules">Every rule explained, with worked examples</a>
      </p>
    </section>
  );
}

function Rule(props: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt class="font-semibold">{props.term}</dt>
      <dd class="text-muted">{props.children}</dd>
    </div>
  );
}

function Awaiting({ order, money }: { order: OrderSummary; money: (a: string) => string }) {
  return (
    <section aria-labelledby="awaiting-h" class="card mt-8 max-w-2xl space-y-4">
      <h2 id="awaiting-h" class="text-xl font-bold tracking-tight">Awaiting payment</h2>
      <p>
        Your order of {money(order.amount)}{" "}
        is waiting for the payment provider to confirm the payment. Your account opens as soon as it does; it
        will appear on your <a class="link" href="/dashboard">dashboard</a>.
      </p>
      <p class="text-sm text-muted">Order reference {order.id}</p>
    </section>
  );
}
