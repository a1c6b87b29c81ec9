/**
 * The payout section of a funded account (DESIGN §3.2), server-rendered, no script: the readiness list the
 * engine computed (each condition with its sentence), the request form — a first step shows the share the
 * trader receives and what the firm keeps, the second confirms it with the step-up (a 2FA code when 2FA is
 * on, else the password) and a one-time Idempotency-Key — and the account's payout history. Forms post to
 * `/dashboard/payouts`, which handles both steps and comes back to `back`.
 *
 * Load the data with `payoutPanelData` (services/payouts/trader.ts).
 */
import { Field, FormError, Notice, SubmitButton } from "../../../components/form.tsx";
import { PAYOUT_STATUS, StatusBadge } from "../../../components/status_badge.tsx";
import { formatMoney } from "../../../services/money.ts";
import { percent } from "../../../services/money_format.ts";
import type { PayoutPanelData } from "../../../services/payouts/trader.ts";
import { formatDateTime } from "../../../services/time.ts";

export interface PayoutConfirmation {
  amount: string;
  share: string;
  firmKeeps: string;
  /** The Idempotency-Key of this request: a double submit makes one payout. */
  key: string;
}

export interface PayoutPanelProps {
  data: PayoutPanelData;
  /** The heading (default "Payouts"); name the account where several panels share a page. */
  title?: string;
  timeZone: string;
  /** Whether the trader has 2FA on: the confirmation then asks for a code, not the password. */
  twoFactor: boolean;
  /** Where to come back after a request (the page the panel is on). */
  back: string;
  /** The second step: the figures to confirm. */
  confirm?: PayoutConfirmation | null;
  /** The amount typed, kept on an error. */
  amount?: string;
  /** What went wrong: said under the amount field while that form is shown (it is about the amount then). */
  error?: string | null;
  /** A wrong password or 2FA code at the confirmation, said under that field. */
  proofError?: string | null;
  notice?: string | null;
}

export function PayoutPanel(props: PayoutPanelProps) {
  const { data, timeZone } = props;
  const r = data.readiness;
  const money = (v: string) => formatMoney(v, data.currency);
  const h = `payout-h-${data.accountId}`;
  const amountForm = r.eligible && !props.confirm;
  return (
    <section aria-labelledby={h} id={`payouts-${data.accountId}`} class="card scroll-mt-6">
      <h2 id={h} class="text-xl font-bold tracking-tight">{props.title ?? "Payouts"}</h2>
      <p class="mt-1 text-sm text-muted">
        You receive {percent(r.splitPercent)} of the profit you withdraw (at least {money(r.minPayout)}{" "}
        per payout).
      </p>
      {props.notice && (
        <div class="mt-4">
          <Notice>{props.notice}</Notice>
        </div>
      )}
      {(props.error || props.proofError) && (
        <div class="mt-4">
          {/* Announced at once (role=alert); a field's own error is said beside it, this points there. */}
          <FormError>
            {props.proofError || amountForm ? "Please correct the highlighted field." : props.error}
          </FormError>
        </div>
      )}

      <h3 class="mt-6 font-semibold">{r.eligible ? "Ready for a payout" : "Not ready yet"}</h3>
      <ul class="mt-2 grid gap-2 text-sm">
        {r.conditions.map((c) => (
          <li key={c.key} class="flex items-start gap-2">
            <span aria-hidden="true" class={c.met ? "text-brand-strong" : "text-red-700 dark:text-red-300"}>
              {c.met ? "✓" : "✗"}
            </span>
            <span>
              <span class="sr-only">{c.met ? "Met: " : "Not met: "}</span>
              {c.message}
            </span>
          </li>
        ))}
      </ul>

      {amountForm && (
        <form method="post" action="/dashboard/payouts" class="mt-6 grid max-w-md gap-3">
          <input type="hidden" name="accountId" value={data.accountId} />
          <input type="hidden" name="back" value={props.back} />
          <Field
            name="amount"
            id={`amount-${data.accountId}`}
            label={`Amount to withdraw (${data.currency})`}
            inputMode="decimal"
            required
            value={props.amount ?? r.maxAmount}
            error={props.error ?? undefined}
            hint={`Between ${money(r.minAmount)} and ${money(r.maxAmount)} (your profit).`}
          />
          <SubmitButton intent="quote">Review the payout</SubmitButton>
        </form>
      )}

      {props.confirm && (
        <form method="post" action="/dashboard/payouts" class="mt-6 grid max-w-md gap-3">
          <input type="hidden" name="accountId" value={data.accountId} />
          <input type="hidden" name="back" value={props.back} />
          <input type="hidden" name="amount" value={props.confirm.amount} />
          <input type="hidden" name="key" value={props.confirm.key} />
          <dl class="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 rounded-lg border border-line p-4 text-sm">
            <dt>Withdrawn from the account</dt>
            <dd class="text-right tabular-nums">{money(props.confirm.amount)}</dd>
            <dt class="font-semibold">You receive ({percent(r.splitPercent)})</dt>
            <dd class="text-right font-semibold tabular-nums">{money(props.confirm.share)}</dd>
            <dt class="text-muted">The firm keeps</dt>
            <dd class="text-right tabular-nums text-muted">{money(props.confirm.firmKeeps)}</dd>
          </dl>
          <p class="text-sm text-muted">
            The amount leaves your balance now and comes back if the payout is rejected.
          </p>
          {props.twoFactor
            ? (
              <Field
                name="code"
                id={`code-${data.accountId}`}
                label="Code from your authenticator app"
                inputMode="numeric"
                autocomplete="one-time-code"
                required
                error={props.proofError ?? undefined}
              />
            )
            : (
              <Field
                name="password"
                id={`password-${data.accountId}`}
                label="Your password"
                type="password"
                autocomplete="current-password"
                required
                error={props.proofError ?? undefined}
              />
            )}
          <div class="flex flex-wrap items-center gap-3">
            <SubmitButton intent="confirm">Request {money(props.confirm.share)}</SubmitButton>
            <a class="link text-sm" href={`${props.back}#payouts-${data.accountId}`}>Change the amount</a>
          </div>
        </form>
      )}

      <h3 class="mt-8 font-semibold">History</h3>
      {data.history.length === 0
        ? <p class="mt-2 text-sm text-muted">No payouts yet.</p>
        : (
          <ul class="mt-2 grid gap-3 text-sm">
            {data.history.map((p) => {
              const status = PAYOUT_STATUS[p.status];
              return (
                <li key={p.id} class="rounded-lg border border-line p-3">
                  <p class="flex flex-wrap items-center gap-2">
                    <span class="font-semibold tabular-nums">{money(p.traderShare)}</span>
                    <span class="text-muted">of {money(p.amount)} withdrawn</span>
                    <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
                  </p>
                  <p class="mt-1 text-muted">
                    Requested {formatDateTime(new Date(p.requestedAt), timeZone)}
                    {p.paidAt && ` · paid ${formatDateTime(new Date(p.paidAt), timeZone)}`}
                    {p.reference && ` · reference ${p.reference}`}
                    {p.rejectedAt && ` · rejected ${formatDateTime(new Date(p.rejectedAt), timeZone)}`}
                  </p>
                  {p.reason && <p class="mt-1">Reason: {p.reason}</p>}
                </li>
              );
            })}
          </ul>
        )}
    </section>
  );
}
