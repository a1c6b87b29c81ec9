import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { fieldErrors } from "../../../lib/validation.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import {
  type AdminOrder,
  listOrders,
  ORDER_STATUSES,
  orderPlans,
} from "../../../services/commerce/order_admin.ts";
import { orderListQuery } from "../../../services/commerce/order_filters.ts";
import { rangeOf } from "../../../services/trading/filters.ts";
import { formatMoney } from "../../../services/money.ts";
import { DateTime, ZoneNote } from "../../../components/date_time.tsx";
import { Field, FormError, Select } from "../../../components/form.tsx";
import { ORDER_FLAG, ORDER_STATUS, OrderStatusBadge } from "../../../components/order_status.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

/** Every order, filtered, newest first; the flagged ones on top. Support, risk and admin read it. */
export const access = rolesWith("orders.read");

const FILTERS = ["email", "status", "planId", "coupon", "from", "to", "flagged"] as const;

interface Data {
  filter: Record<(typeof FILTERS)[number], string>;
  errors: Record<string, string>;
  items: AdminOrder[];
  nextCursor: string | null;
  flagged: AdminOrder[];
  plans: { id: string; name: string }[];
  timeZone: string;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Orders", "Every order, its payment and refunds.");
    const { deps, user } = ctx.state;
    const params = Object.fromEntries(ctx.url.searchParams);
    const filter = Object.fromEntries(FILTERS.map((k) => [k, params[k] ?? ""])) as Data["filter"];
    const parsed = orderListQuery.safeParse(params);
    let errors: Record<string, string> = {};
    let list: { items: AdminOrder[]; nextCursor: string | null } = { items: [], nextCursor: null };
    if (parsed.success) {
      const range = rangeOf(parsed.data, user.timeZone);
      if (range.from && range.to && +range.from >= +range.to) errors = { to: "must be after the start date" };
      else list = await listOrders(deps.db.sql, { ...parsed.data, from: range.from, to: range.to });
    } else {
      errors = fieldErrors(parsed.error);
    }
    const [flagged, plans] = await Promise.all([
      listOrders(deps.db.sql, { flagged: true, status: "paid", limit: 20 }),
      orderPlans(deps.db.sql),
    ]);
    return page<Data>(
      { filter, errors, ...list, flagged: flagged.items, plans, timeZone: user.timeZone },
      { status: Object.keys(errors).length ? 422 : 200, headers: { "cache-control": "no-store" } },
    );
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const f = data.filter;
  const errors = Object.entries(data.errors);
  return (
    <>
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-2xl font-bold tracking-tight">Orders</h1>
        <ZoneNote zone={data.timeZone} />
      </div>

      {data.flagged.length > 0 && (
        <section
          aria-labelledby="flagged-h"
          class="mt-6 rounded-xl border border-amber-600/50 bg-amber-50 p-4 dark:bg-amber-950/30"
        >
          <h2 id="flagged-h" class="font-semibold">
            <span aria-hidden="true" class="mr-1.5">⚠</span>
            {data.flagged.length} flagged {data.flagged.length === 1 ? "order needs" : "orders need"} a refund
          </h2>
          <ul class="mt-2 grid gap-2 text-sm">
            {data.flagged.map((o) => (
              <li key={o.id} class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <a class="link font-semibold" href={`/admin/orders/${o.id}`}>
                  {formatMoney(o.amount, o.currency)} · {o.email}
                </a>
                <span class="text-muted">
                  {ORDER_FLAG[o.flag!]?.label}: {ORDER_FLAG[o.flag!]?.why}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <form method="get" class="mt-6 grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Filter orders">
        <Field
          name="email"
          label="Buyer's email"
          type="search"
          value={f.email}
          error={data.errors.email}
          class="col-span-2 lg:col-span-1"
        />
        <Select
          name="status"
          label="Status"
          value={f.status}
          options={[
            { value: "", label: "Any" },
            ...ORDER_STATUSES.map((s) => ({ value: s, label: ORDER_STATUS[s].label })),
          ]}
        />
        <Select
          name="planId"
          label="Plan"
          value={f.planId}
          options={[{ value: "", label: "Any" }, ...data.plans.map((p) => ({ value: p.id, label: p.name }))]}
        />
        <Field name="coupon" label="Coupon code" value={f.coupon} error={data.errors.coupon} />
        <Field name="from" label="Placed from" type="date" value={f.from} error={data.errors.from} />
        <Field name="to" label="Placed until" type="date" value={f.to} error={data.errors.to} />
        <Select
          name="flagged"
          label="Flagged"
          value={f.flagged}
          options={[{ value: "", label: "All orders" }, { value: "true", label: "Flagged only" }]}
        />
        <div class="flex items-end gap-3">
          <button type="submit" class="btn-primary">Filter</button>
          <a class="link text-sm" href="/admin/orders">Clear</a>
        </div>
      </form>
      {errors.length > 0 && (
        <div class="mt-4">
          <FormError>
            The filters were not applied: {errors.map(([k, v]) => `${k} ${v}`).join("; ")}.
          </FormError>
        </div>
      )}

      {data.items.length === 0
        ? (
          <p class="mt-6 rounded-xl border border-dashed border-line p-6 text-center text-muted">
            No orders match these filters.
          </p>
        )
        : (
          <ScrollRegion label="Orders" class="mt-6 rounded-xl border border-line">
            <table class="w-full text-left text-sm">
              <caption class="sr-only">Orders, newest first</caption>
              <thead class="bg-raised">
                <tr>
                  <th scope="col" class="p-3">Placed</th>
                  <th scope="col" class="p-3 text-right">Amount</th>
                  <th scope="col" class="p-3">Status</th>
                  <th scope="col" class="p-3">Buyer</th>
                  <th scope="col" class="p-3">Plan</th>
                  <th scope="col" class="p-3">Coupon</th>
                  <th scope="col" class="p-3">Provider</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((o) => (
                  <tr key={o.id} class="border-t border-line align-top">
                    <td class="p-3 whitespace-nowrap">
                      <a class="link" href={`/admin/orders/${o.id}`}>
                        <DateTime at={o.createdAt} zone={data.timeZone} />
                        <span class="sr-only">, order of {o.email}</span>
                      </a>
                    </td>
                    <td class="p-3 text-right tabular-nums whitespace-nowrap">
                      {formatMoney(o.amount, o.currency)}
                      {o.refunded !== "0.00" && (
                        <span class="block text-xs text-muted">
                          −{formatMoney(o.refunded, o.currency)} refunded
                        </span>
                      )}
                    </td>
                    <td class="p-3 whitespace-nowrap">
                      <OrderStatusBadge status={o.status} refunded={o.refunded} />
                      {o.flag && (
                        <span class="ml-1 text-xs font-semibold text-amber-800 dark:text-amber-300">
                          ⚠ flagged
                        </span>
                      )}
                    </td>
                    <td class="p-3">{o.email}</td>
                    <td class="p-3 whitespace-nowrap">{o.planName}</td>
                    <td class="p-3">{o.couponCode ?? "—"}</td>
                    <td class="p-3">{o.provider}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      {data.nextCursor && (
        <p class="mt-4">
          <a
            class="link"
            href={`/admin/orders?${new URLSearchParams({
              ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)),
              cursor: data.nextCursor,
            })}`}
          >
            Older orders →
          </a>
        </p>
      )}
    </>
  );
});
