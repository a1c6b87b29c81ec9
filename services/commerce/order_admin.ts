/**
 * The back office's orders: every order, filtered (status, plan, coupon, dates, buyer's email) in keyset
 * pages newest first, and one order with what it bought, its coupon, its payment, the challenge and accounts
 * it opened and its refunds. Staff-only reads (routes declare `orders.read`).
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import { BadRequest } from "../../lib/errors.ts";
import { fromMinor, toMinor } from "../money.ts";
import type { OrderStatus } from "./order_queries.ts";
import { refundsOf, type RefundView, refundView } from "./refund_queries.ts";

export const ORDER_STATUSES = ["pending", "paid", "failed", "cancelled", "expired", "refunded"] as const;

export interface OrderFilter {
  status?: OrderStatus;
  planId?: string;
  /** A coupon code, matched case-insensitively and whole. */
  coupon?: string;
  /** Part of the buyer's email. */
  email?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** Only orders flagged for staff (coupon over its limit). */
  flagged?: boolean;
  cursor?: string;
  limit?: number;
}

/** An order in the staff list. */
export interface AdminOrder {
  id: string;
  status: OrderStatus;
  userId: string;
  email: string;
  planId: string;
  planName: string;
  currency: string;
  listPrice: string;
  discount: string;
  amount: string;
  /** Sum of refunds made or pending. */
  refunded: string;
  couponCode: string | null;
  provider: string;
  providerRef: string | null;
  flag: "coupon_over_limit" | null;
  createdAt: string;
  paidAt: string | null;
}

export const adminOrderSchema = z.object({
  id: z.string(),
  status: z.enum(ORDER_STATUSES),
  userId: z.string(),
  email: z.string(),
  planId: z.string(),
  planName: z.string(),
  currency: z.string(),
  listPrice: z.string(),
  discount: z.string(),
  amount: z.string(),
  refunded: z.string().describe("Refunded or being refunded"),
  couponCode: z.string().nullable(),
  provider: z.string(),
  providerRef: z.string().nullable().describe("The provider's payment id"),
  flag: z.enum(["coupon_over_limit"]).nullable(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
});

interface OrderRow {
  id: string;
  status: OrderStatus;
  user_id: string;
  email: string;
  plan_id: string;
  plan_name: string;
  currency: string;
  list_price: string;
  discount: string;
  amount: string;
  refunded: string;
  coupon_code: string | null;
  provider: string;
  provider_ref: string | null;
  flag: "coupon_over_limit" | null;
  created_at: Date;
  created_us: string;
  paid_at: Date | null;
}

const DEFAULT_LIMIT = 50;

/** One page of orders, newest first; `next` continues after its last row. */
export async function listOrders(
  sql: Sql,
  filter: OrderFilter,
): Promise<{ items: AdminOrder[]; nextCursor: string | null }> {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const email = filter.email ? `%${filter.email.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await sql<OrderRow[]>`
    select o.id, o.status, o.user_id, u.email, v.plan_id, coalesce(v.definition ->> 'name', pl.name) as plan_name, o.currency,
           o.list_price, o.discount, o.amount, c.code as coupon_code, o.provider, o.provider_ref, o.flag,
           o.created_at, (extract(epoch from o.created_at) * 1000000)::bigint::text as created_us, o.paid_at,
           coalesce((select sum(r.amount) from refunds r where r.order_id = o.id), 0)::numeric(12, 2)::text
             as refunded
    from orders o
    join users u on u.id = o.user_id
    join plan_versions v on v.id = o.plan_version_id
    join plans pl on pl.id = v.plan_id
    left join coupons c on c.id = o.coupon_id
    where (${filter.status ?? null}::text is null or o.status = ${filter.status ?? null})
      and (${filter.planId ?? null}::uuid is null or v.plan_id = ${filter.planId ?? null}::uuid)
      and (${filter.coupon?.toUpperCase() ?? null}::text is null or c.code = ${
    filter.coupon?.toUpperCase() ?? null
  })
      and (${email}::text is null or lower(u.email) like ${email})
      and (${filter.from ?? null}::timestamptz is null or o.created_at >= ${filter.from ?? null})
      and (${filter.to ?? null}::timestamptz is null or o.created_at < ${filter.to ?? null})
      and (not ${filter.flagged ?? false} or o.flag is not null)
      and (${after?.us ?? null}::bigint is null
           or (o.created_at, o.id) < (timestamptz 'epoch' + ${
    after?.us ?? null
  }::bigint * interval '1 microsecond',
                                      ${after?.id ?? null}::uuid))
    order by o.created_at desc, o.id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toAdminOrder),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_us, last.id) : null,
  };
}

/** An account a paid order opened, with whether anything was traded on it. */
export interface OrderAccount {
  id: string;
  type: string;
  phase: number | null;
  status: string;
  trades: number;
}

export interface OrderDetail {
  order: AdminOrder;
  coupon: { code: string; kind: string; value: string } | null;
  challenge: { id: string; status: string } | null;
  accounts: OrderAccount[];
  refunds: RefundView[];
  /** What can still be refunded: paid minus refunds made or pending ("0.00" unless paid). */
  refundable: string;
}

/** One order with everything staff look at, or null. */
export async function orderDetail(sql: Sql, orderId: string): Promise<OrderDetail | null> {
  const [row] = await sql<(OrderRow & { coupon_kind: string | null; coupon_value: string | null })[]>`
    select o.id, o.status, o.user_id, u.email, v.plan_id, coalesce(v.definition ->> 'name', pl.name) as plan_name, o.currency,
           o.list_price, o.discount, o.amount, c.code as coupon_code, c.kind as coupon_kind,
           c.value as coupon_value, o.provider, o.provider_ref, o.flag, o.created_at, '0' as created_us,
           o.paid_at, '0.00' as refunded
    from orders o
    join users u on u.id = o.user_id
    join plan_versions v on v.id = o.plan_version_id
    join plans pl on pl.id = v.plan_id
    left join coupons c on c.id = o.coupon_id
    where o.id = ${orderId}`;
  if (!row) return null;
  const [refunds, [challenge], accounts] = await Promise.all([
    refundsOf(sql, orderId),
    sql<{ id: string; status: string }[]>`select id, status from challenges where order_id = ${orderId}`,
    sql<OrderAccount[]>`
      select a.id, a.type, a.phase, a.status,
             (select count(*) from trades t where t.account_id = a.id)::int as trades
      from accounts a join challenges ch on ch.id = a.challenge_id
      where ch.order_id = ${orderId}
      order by a.created_at, a.phase nulls last`,
  ]);
  const refunded = refunds.reduce((sum, r) => sum + toMinor(r.amount), 0n);
  const order = toAdminOrder({ ...row, refunded: fromMinor(refunded) });
  return {
    order,
    coupon: row.coupon_code
      ? { code: row.coupon_code, kind: row.coupon_kind!, value: row.coupon_value! }
      : null,
    challenge: challenge ?? null,
    accounts,
    refunds: refunds.map(refundView),
    refundable: order.status === "paid" ? fromMinor(toMinor(row.amount) - refunded) : "0.00",
  };
}

/** The plans orders can be filtered by (every plan, by name). */
export async function orderPlans(sql: Sql): Promise<{ id: string; name: string }[]> {
  return await sql<{ id: string; name: string }[]>`
    select p.id, p.name from plans p order by p.name, p.id`;
}

function toAdminOrder(r: OrderRow): AdminOrder {
  return {
    id: r.id,
    status: r.status,
    userId: r.user_id,
    email: r.email,
    planId: r.plan_id,
    planName: r.plan_name,
    currency: r.currency,
    listPrice: r.list_price,
    discount: r.discount,
    amount: r.amount,
    refunded: r.refunded,
    couponCode: r.coupon_code,
    provider: r.provider,
    providerRef: r.provider_ref,
    flag: r.flag,
    createdAt: r.created_at.toISOString(),
    paidAt: r.paid_at?.toISOString() ?? null,
  };
}

// The cursor carries microseconds: two orders in one millisecond must not be skipped or repeated.
function encodeCursor(us: string, id: string): string {
  return btoa(`${us}|${id}`).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decodeCursor(cursor: string): { us: string; id: string } {
  try {
    const [us, id] = atob(cursor.replaceAll("-", "+").replaceAll("_", "/")).split("|");
    if (!/^\d{1,17}$/.test(us ?? "") || !/^[0-9a-f-]{36}$/.test(id ?? "")) throw new Error("bad cursor");
    return { us, id };
  } catch {
    throw new BadRequest("The cursor is not valid.", { cursor: "is not a cursor from this list" });
  }
}
