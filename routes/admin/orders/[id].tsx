import { z } from "zod";
import { define, setMeta, type SignedInState } from "../../_define.ts";
import { type Context, page } from "../../../lib/define.ts";
import { type HttpError, NotFound } from "../../../lib/errors.ts";
import { readForm, validate } from "../../../lib/validation.ts";
import { can, rolesWith } from "../../../services/auth/roles.ts";
import { type OrderDetail, orderDetail } from "../../../services/commerce/order_admin.ts";
import { refundInput, refundOrder } from "../../../services/commerce/refunds.ts";
import { formatMoney } from "../../../services/money.ts";
import { DateTime, ZoneNote } from "../../../components/date_time.tsx";
import { FormError, isFormError, Notice, SubmitButton, TextArea } from "../../../components/form.tsx";
import { ORDER_FLAG, OrderStatusBadge } from "../../../components/order_status.tsx";
import { ACCOUNT_STATUS, StatusBadge } from "../../../components/status_badge.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

/** One order for staff; admins refund it here (`orders.refund`). */
export const access = rolesWith("orders.read");

interface Data {
  detail: OrderDetail;
  canRefund: boolean;
  /** A fresh key per rendered form: a double submit of the same form is one refund. */
  refundKey: string;
  form: { amount: string; reason: string };
  errors: Record<string, string>;
  error: string | null;
  done: boolean;
  timeZone: string;
}

const id = z.uuid();

async function load(
  ctx: Context<SignedInState>,
  extra: Partial<Pick<Data, "form" | "errors" | "error" | "refundKey">> = {},
  status = 200,
) {
  const { deps, user } = ctx.state;
  if (!id.safeParse(ctx.params.id).success) throw new NotFound("No such order.");
  const detail = await orderDetail(deps.db.sql, ctx.params.id);
  if (!detail) throw new NotFound("No such order.");
  setMeta(
    ctx.state,
    `Order ${formatMoney(detail.order.amount, detail.order.currency)}`,
    "An order, as staff see it.",
  );
  return page<Data>({
    detail,
    canRefund: can(user, "orders.refund"),
    refundKey: extra.refundKey ?? crypto.randomUUID(),
    form: extra.form ?? { amount: "", reason: "" },
    errors: extra.errors ?? {},
    error: extra.error ?? null,
    done: ctx.url.searchParams.get("done") === "refund",
    timeZone: user.timeZone,
  }, { status, headers: { "cache-control": "no-store" } });
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return await load(ctx);
  },
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    if (!can(user, "orders.refund")) throw new NotFound("No such order.");
    if (!id.safeParse(ctx.params.id).success) throw new NotFound("No such order.");
    const form = await readForm(ctx.req);
    const typed = { amount: form.amount ?? "", reason: form.reason ?? "" };
    try {
      const input = validate(refundInput, {
        amount: typed.amount.trim() || undefined,
        reason: typed.reason,
        idempotencyKey: form.key,
      });
      await refundOrder(deps, actor, ctx.params.id, input);
      return new Response(null, {
        status: 303,
        headers: { location: `/admin/orders/${ctx.params.id}?done=refund`, "cache-control": "no-store" },
      });
    } catch (error) {
      if (!isFormError(error)) throw error;
      const e = error as HttpError;
      // The same key again: the typed form stays one refund if it is sent once more after a fix.
      return await load(ctx, {
        form: typed,
        errors: e.fields ?? {},
        error: e.fields && Object.keys(e.fields).length ? null : e.message,
        refundKey: form.key,
      }, e.status);
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { order: o, coupon, challenge, accounts, refunds, refundable } = data.detail;
  const money = (v: string) => formatMoney(v, o.currency);
  const open = accounts.filter((a) => a.status !== "closed");
  return (
    <>
      <p class="text-sm">
        <a class="link" href="/admin/orders">← Orders</a>
      </p>
      <div class="mt-2 flex flex-wrap items-center gap-3">
        <h1 class="text-2xl font-bold tracking-tight tabular-nums">{money(o.amount)}</h1>
        <OrderStatusBadge status={o.status} refunded={o.refunded} />
        <span class="text-muted">{o.planName}</span>
      </div>
      <p class="mt-1 text-sm text-muted">
        Placed <DateTime at={o.createdAt} zone={data.timeZone} /> by{" "}
        <span class="break-all text-ink">{o.email}</span>
      </p>
      <p class="mt-1 break-all font-mono text-xs text-muted">Order {o.id}</p>
      <ZoneNote zone={data.timeZone} class="mt-1" />

      <div class="mt-4 grid gap-3">
        {data.done && <Notice>The refund is recorded.</Notice>}
        {data.error && <FormError>{data.error}</FormError>}
        {o.flag && (
          <div
            role="note"
            class="rounded-lg border border-amber-600/50 bg-amber-50 px-4 py-3 text-sm dark:bg-amber-950/30"
          >
            <b>
              <span aria-hidden="true">⚠</span> {ORDER_FLAG[o.flag].label}.
            </b>{" "}
            {ORDER_FLAG[o.flag].why}
          </div>
        )}
      </div>

      <div class="mt-6 grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="items-h" class="card p-4 sm:p-6">
          <h2 id="items-h" class="font-semibold">What was bought</h2>
          <dl class="mt-3 grid grid-cols-[1fr_auto] gap-x-4 gap-y-1.5 text-sm">
            <dt>{o.planName}</dt>
            <dd class="text-right tabular-nums">{money(o.listPrice)}</dd>
            {coupon && (
              <>
                <dt class="text-muted">
                  Coupon {coupon.code}{" "}
                  ({coupon.kind === "percent" ? `${coupon.value} %` : money(coupon.value)})
                </dt>
                <dd class="text-right tabular-nums">−{money(o.discount)}</dd>
              </>
            )}
            <dt class="border-t border-line pt-1.5 font-semibold">Paid</dt>
            <dd class="border-t border-line pt-1.5 text-right font-semibold tabular-nums">
              {money(o.amount)}
            </dd>
            {o.refunded !== "0.00" && (
              <>
                <dt class="text-muted">Refunded</dt>
                <dd class="text-right tabular-nums">−{money(o.refunded)}</dd>
              </>
            )}
          </dl>
          <h3 class="mt-5 font-semibold">Payment</h3>
          <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt class="text-muted">Provider</dt>
            <dd>{o.provider}</dd>
            <dt class="text-muted">Provider ref.</dt>
            <dd class="break-all font-mono text-xs leading-5">{o.providerRef ?? "— (settled here)"}</dd>
            <dt class="text-muted">Paid at</dt>
            <dd>{o.paidAt ? <DateTime at={o.paidAt} zone={data.timeZone} /> : "—"}</dd>
          </dl>
        </section>

        <section aria-labelledby="opened-h" class="card p-4 sm:p-6">
          <h2 id="opened-h" class="font-semibold">What it opened</h2>
          {!challenge ? <p class="mt-2 text-sm text-muted">No challenge: the order was not fulfilled.</p> : (
            <>
              <p class="mt-2 text-sm">
                Challenge <span class="font-mono text-xs">{challenge.id}</span> · {challenge.status}
              </p>
              <ul class="mt-3 grid gap-2 text-sm">
                {accounts.map((a) => (
                  <li
                    key={a.id}
                    class="flex flex-wrap items-center gap-2 rounded-lg border border-line px-3 py-2"
                  >
                    <a class="link font-semibold" href={`/admin/accounts/${a.id}`}>
                      {a.type === "funded" ? "Funded account" : `Phase ${a.phase}`}
                    </a>
                    <StatusBadge tone={ACCOUNT_STATUS[a.status]?.tone ?? "neutral"}>
                      {ACCOUNT_STATUS[a.status]?.label ?? a.status}
                    </StatusBadge>
                    <span class="text-muted tabular-nums">
                      {a.trades === 0 ? "no trades" : `${a.trades} trade${a.trades === 1 ? "" : "s"}`}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      </div>

      <section aria-labelledby="refunds-h" class="card mt-6 p-4 sm:p-6">
        <h2 id="refunds-h" class="font-semibold">Refunds</h2>
        {/* Not labelled by refunds-h: the section is, and two landmarks named "Refunds" fail landmark-unique. */}
        {refunds.length === 0
          ? <p class="mt-2 text-sm text-muted">None.</p>
          : (
            <ScrollRegion label="Refunds table (scrolls)" class="mt-3">
              <table class="w-full text-left text-sm">
                <thead>
                  <tr class="text-muted">
                    <th scope="col" class="py-2 pr-3 font-medium">When</th>
                    <th scope="col" class="py-2 pr-3 text-right font-medium">Amount</th>
                    <th scope="col" class="py-2 pr-3 font-medium">Status</th>
                    <th scope="col" class="py-2 pr-3 font-medium">Reason</th>
                    <th scope="col" class="py-2 font-medium">Provider ref.</th>
                  </tr>
                </thead>
                <tbody>
                  {refunds.map((r) => (
                    <tr key={r.id} class="border-t border-line align-top">
                      <td class="py-2 pr-3 whitespace-nowrap">
                        <DateTime at={r.createdAt} zone={data.timeZone} />
                      </td>
                      <td class="py-2 pr-3 text-right tabular-nums">{money(r.amount)}</td>
                      <td class="py-2 pr-3">
                        <StatusBadge tone={r.status === "succeeded" ? "good" : "neutral"}>
                          {r.status === "succeeded" ? "Refunded" : "Awaiting provider"}
                        </StatusBadge>
                      </td>
                      <td class="min-w-48 py-2 pr-3">{r.reason}</td>
                      <td class="py-2 break-all font-mono text-xs">{r.providerRef ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}

        {data.canRefund && refundable !== "0.00" && (
          <form method="post" class="mt-6 grid max-w-xl gap-4 border-t border-line pt-4">
            <h3 class="font-semibold">Refund through {o.provider}</h3>
            <input type="hidden" name="key" value={data.refundKey} />
            <div>
              <label for="amount" class="block text-sm font-medium">Amount ({o.currency})</label>
              <p id="amount-hint" class="mt-1 text-sm text-muted">
                Up to {money(refundable)}. Leave empty to refund all of it.
              </p>
              <input
                id="amount"
                name="amount"
                inputMode="decimal"
                placeholder={refundable}
                value={data.form.amount}
                aria-describedby={data.errors.amount ? "amount-hint amount-error" : "amount-hint"}
                aria-invalid={data.errors.amount ? "true" : undefined}
                class="mt-1.5 block w-40 rounded-lg border border-line bg-surface px-3 py-2.5 text-right tabular-nums"
              />
              {data.errors.amount && (
                <p id="amount-error" class="mt-1.5 text-sm font-medium text-red-700 dark:text-red-400">
                  Amount {data.errors.amount}.
                </p>
              )}
            </div>
            <TextArea
              name="reason"
              label="Reason (kept in the audit log)"
              value={data.form.reason}
              error={data.errors.reason}
              required
              minLength={10}
              maxLength={1000}
              rows={3}
            />
            <p class="text-sm text-muted">
              A full refund cancels the challenge and closes {open.length === 0
                ? "nothing (no open account)."
                : open.map((a) =>
                  `${
                    a.type === "funded" ? "the funded account" : `phase ${a.phase}`
                  } (${a.status}, ${a.trades} trades)`
                ).join(", ") + "."} A partial refund leaves the accounts as they are.
            </p>
            <div>
              <SubmitButton variant="danger">Refund</SubmitButton>
            </div>
          </form>
        )}
      </section>
    </>
  );
});
