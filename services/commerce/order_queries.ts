/** Queries over `orders`. Money stays decimal strings; instants leave as ISO-8601 UTC. */
import type { Sql } from "../../db/client.ts";

export type OrderStatus = "pending" | "paid" | "failed" | "cancelled" | "expired" | "refunded";

/**
 * An order's coupon use (null without a coupon): `held` from placement until paid, counting only until the
 * order's `expiresAt`; `redeemed` once paid; `released` when the order lapsed, failed or was cancelled;
 * `refused` when it was paid after its hold lapsed and the coupon had no use left (flagged for a refund).
 */
type CouponUseState = "held" | "redeemed" | "released" | "refused";

/** Something staff must act on; `coupon_over_limit`: paid with a coupon that had no use left, to refund. */
type OrderFlag = "coupon_over_limit";

/** An order as its buyer (and the checkout page) sees it. */
export interface OrderSummary {
  id: string;
  status: OrderStatus;
  planId: string;
  planVersionId: string;
  currency: string;
  listPrice: string;
  discount: string;
  amount: string;
  provider: string;
  couponCode: string | null;
  createdAt: string;
  paidAt: string | null;
}

/** An order in a listing: the summary plus what it bought. */
export interface OrderListItem extends OrderSummary {
  planName: string;
  /** The challenge the payment opened; null until paid. */
  challengeId: string | null;
}

/** What the payment path needs of an order it holds locked. */
export interface LockedOrder {
  id: string;
  userId: string;
  planVersionId: string;
  couponId: string | null;
  currency: string;
  amount: string;
  status: OrderStatus;
  provider: string;
  providerRef: string | null;
  couponUse: CouponUseState | null;
  /** Until when a pending order may be paid with its coupon hold counting. */
  expiresAt: Date | null;
  flag: OrderFlag | null;
}

interface NewOrder {
  userId: string;
  planVersionId: string;
  couponId: string | null;
  currency: string;
  listPrice: string;
  discount: string;
  amount: string;
  provider: string;
  /** The buyer's key for this purchase attempt (see `findOrderByKey`), or null. */
  idempotencyKey: string | null;
  /** Until when the order may be paid with its coupon use held for it. */
  expiresAt: Date;
}

interface SummaryRow {
  id: string;
  status: OrderStatus;
  plan_id: string;
  plan_version_id: string;
  currency: string;
  list_price: string;
  discount: string;
  amount: string;
  provider: string;
  coupon_code: string | null;
  created_at: Date;
  paid_at: Date | null;
  plan_name: string;
  challenge_id: string | null;
}

function toSummary(r: SummaryRow): OrderSummary {
  return {
    id: r.id,
    status: r.status,
    planId: r.plan_id,
    planVersionId: r.plan_version_id,
    currency: r.currency,
    listPrice: r.list_price,
    discount: r.discount,
    amount: r.amount,
    provider: r.provider,
    couponCode: r.coupon_code,
    createdAt: r.created_at.toISOString(),
    paidAt: r.paid_at?.toISOString() ?? null,
  };
}

/**
 * Inserts a pending order; returns its id. Its coupon use (if any) is `held`: call it under the coupon's row
 * lock, after checking the coupon's limits, so the hold counts for every buyer checking after this one.
 */
export async function insertOrder(tx: Sql, o: NewOrder): Promise<string> {
  const [{ id }] = await tx<{ id: string }[]>`
    insert into orders (user_id, plan_version_id, coupon_id, coupon_use, currency, list_price, discount, amount,
                        provider, idempotency_key, expires_at)
    values (${o.userId}, ${o.planVersionId}, ${o.couponId}, ${o.couponId === null ? null : "held"},
            ${o.currency}, ${o.listPrice}, ${o.discount}, ${o.amount}, ${o.provider}, ${o.idempotencyKey},
            ${o.expiresAt})
    returning id`;
  return id;
}

/** Orders (all, or the one `orderId`) of `userId`, newest first, at most `limit`. */
async function selectOrders(
  sql: Sql,
  where: { userId: string | null; orderId: string | null },
  limit: number,
): Promise<SummaryRow[]> {
  return await sql<SummaryRow[]>`
    select o.id, o.status, v.plan_id, o.plan_version_id, o.currency, o.list_price, o.discount, o.amount,
           o.provider, c.code as coupon_code, o.created_at, o.paid_at, v.definition ->> 'name' as plan_name,
           ch.id as challenge_id
    from orders o
    join plan_versions v on v.id = o.plan_version_id
    left join coupons c on c.id = o.coupon_id
    left join challenges ch on ch.order_id = o.id
    where (${where.userId}::uuid is null or o.user_id = ${where.userId}::uuid)
      and (${where.orderId}::uuid is null or o.id = ${where.orderId}::uuid)
    order by o.created_at desc, o.id desc
    limit ${limit}`;
}

/** One order by id, or null. Callers scope it (a buyer only ever reaches their own orders). */
export async function findOrderSummary(sql: Sql, orderId: string): Promise<OrderSummary | null> {
  const [row] = await selectOrders(sql, { userId: null, orderId }, 1);
  return row ? toSummary(row) : null;
}

/** The newest `limit` orders of `userId`. */
export async function listUserOrders(sql: Sql, userId: string, limit: number): Promise<OrderListItem[]> {
  const rows = await selectOrders(sql, { userId, orderId: null }, limit);
  return rows.map((r) => ({ ...toSummary(r), planName: r.plan_name, challengeId: r.challenge_id }));
}

/** Order `orderId` under a row lock (the payment path's serialization point), or null. */
export async function lockOrder(tx: Sql, orderId: string): Promise<LockedOrder | null> {
  const [row] = await tx<
    {
      id: string;
      user_id: string;
      plan_version_id: string;
      coupon_id: string | null;
      currency: string;
      amount: string;
      status: OrderStatus;
      provider: string;
      provider_ref: string | null;
      coupon_use: CouponUseState | null;
      expires_at: Date | null;
      flag: OrderFlag | null;
    }[]
  >`
    select id, user_id, plan_version_id, coupon_id, currency, amount, status, provider, provider_ref,
           coupon_use, expires_at, flag
    from orders where id = ${orderId} for update`;
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    planVersionId: row.plan_version_id,
    couponId: row.coupon_id,
    currency: row.currency,
    amount: row.amount,
    status: row.status,
    provider: row.provider,
    providerRef: row.provider_ref,
    couponUse: row.coupon_use,
    expiresAt: row.expires_at,
    flag: row.flag,
  };
}

/**
 * Moves order `orderId` to `status`. `paid` stamps `paidAt`; a refund keeps it (when the money came in).
 * `providerRef`, when given, records the provider's payment id. An order that fails, is cancelled or
 * expires gives its coupon hold back.
 */
export async function setOrderStatus(
  tx: Sql,
  orderId: string,
  status: OrderStatus,
  opts: { paidAt?: Date; providerRef?: string | null } = {},
): Promise<void> {
  await tx`
    update orders
    set status = ${status},
        paid_at = case when ${status} = 'paid' then ${opts.paidAt ?? null}::timestamptz
                       when ${status} = 'refunded' then paid_at else null end,
        provider_ref = coalesce(${opts.providerRef ?? null}, provider_ref),
        coupon_use = case when coupon_use = 'held' and ${status} in ('failed', 'cancelled', 'expired')
                          then 'released' else coupon_use end,
        updated_at = now()
    where id = ${orderId}`;
}

/** Records what became of the coupon use of order `orderId` (locked by the caller), and a flag if any. */
export async function setCouponUse(
  tx: Sql,
  orderId: string,
  use: CouponUseState,
  flag: OrderFlag | null = null,
): Promise<void> {
  await tx`update orders set coupon_use = ${use}, flag = coalesce(${flag}, flag), updated_at = now()
           where id = ${orderId}`;
}

/**
 * Marks up to `limit` pending orders whose payment window closed by `now` as `expired`, giving their coupon
 * holds back; returns their ids. Orders another transaction holds (a payment arriving) are skipped: the next
 * sweep takes them if they are still pending.
 */
export async function expirePendingOrders(tx: Sql, now: Date, limit: number): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    update orders
    set status = 'expired',
        coupon_use = case when coupon_use = 'held' then 'released' else coupon_use end,
        updated_at = now()
    where id in (
      select id from orders where status = 'pending' and expires_at <= ${now}
      order by expires_at limit ${limit}
      for update skip locked)
    returning id`;
  return rows.map((r) => r.id);
}

/** A flagged order, as staff see it. */
export interface FlaggedOrder extends OrderSummary {
  flag: OrderFlag;
  userId: string;
  email: string;
  providerRef: string | null;
}

/** The newest `limit` flagged orders, whatever their status now (`paid`: the refund is still to be made). */
export async function listFlaggedOrders(sql: Sql, limit: number): Promise<FlaggedOrder[]> {
  const rows = await sql<
    (SummaryRow & { flag: OrderFlag; user_id: string; email: string; provider_ref: string | null })[]
  >`
    select o.id, o.status, v.plan_id, o.plan_version_id, o.currency, o.list_price, o.discount, o.amount,
           o.provider, c.code as coupon_code, o.created_at, o.paid_at, o.flag, o.user_id, u.email,
           o.provider_ref
    from orders o
    join plan_versions v on v.id = o.plan_version_id
    join users u on u.id = o.user_id
    left join coupons c on c.id = o.coupon_id
    where o.flag is not null
    order by o.created_at desc, o.id desc
    limit ${limit}`;
  return rows.map((r) => ({
    ...toSummary(r),
    flag: r.flag,
    userId: r.user_id,
    email: r.email,
    providerRef: r.provider_ref,
  }));
}

/** Whether another order of `provider` already carries `providerRef` (it is unique per provider). */
export async function providerRefTaken(
  sql: Sql,
  provider: string,
  providerRef: string,
  exceptOrderId: string,
): Promise<boolean> {
  const rows = await sql`
    select 1 from orders
    where provider = ${provider} and provider_ref = ${providerRef} and id <> ${exceptOrderId}`;
  return rows.length > 0;
}

/**
 * The order `userId` placed with `key`, with the plan and coupon it was for and what it opened, or null.
 * Call it under `lockIdempotencyKey` so a concurrent attempt with the same key waits for the first.
 */
export async function findOrderByKey(
  tx: Sql,
  userId: string,
  key: string,
): Promise<
  {
    id: string;
    planId: string;
    couponCode: string | null;
    challengeId: string | null;
    accountId: string | null;
  } | null
> {
  const [row] = await tx<
    {
      id: string;
      plan_id: string;
      coupon_code: string | null;
      challenge_id: string | null;
      account_id: string | null;
    }[]
  >`
    select o.id, v.plan_id, c.code as coupon_code, ch.id as challenge_id, a.id as account_id
    from orders o
    join plan_versions v on v.id = o.plan_version_id
    left join coupons c on c.id = o.coupon_id
    left join challenges ch on ch.order_id = o.id
    left join accounts a on a.challenge_id = ch.id and a.phase = 1
    where o.user_id = ${userId} and o.idempotency_key = ${key}`;
  return row
    ? {
      id: row.id,
      planId: row.plan_id,
      couponCode: row.coupon_code,
      challengeId: row.challenge_id,
      accountId: row.account_id,
    }
    : null;
}

/** Serializes purchase attempts of one buyer with one key until the transaction ends. */
export async function lockIdempotencyKey(tx: Sql, userId: string, key: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext('orders.idempotency'), hashtext(${userId} || ':' || ${key}))`;
}
