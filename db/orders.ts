/** Queries over `orders`. Money stays decimal strings; instants leave as ISO-8601 UTC. */
import type postgres from "postgres";

type Sql = postgres.Sql | postgres.TransactionSql;

export type OrderStatus = "pending" | "paid" | "failed" | "cancelled" | "refunded";

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
}

export interface NewOrder {
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

/** Inserts a pending order; returns its id. */
export async function insertOrder(tx: Sql, o: NewOrder): Promise<string> {
  const [{ id }] = await tx<{ id: string }[]>`
    insert into orders (user_id, plan_version_id, coupon_id, currency, list_price, discount, amount, provider,
                        idempotency_key)
    values (${o.userId}, ${o.planVersionId}, ${o.couponId}, ${o.currency}, ${o.listPrice}, ${o.discount},
            ${o.amount}, ${o.provider}, ${o.idempotencyKey})
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
    }[]
  >`
    select id, user_id, plan_version_id, coupon_id, currency, amount, status, provider, provider_ref
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
  };
}

/**
 * Moves order `orderId` to `status`. `paid` stamps `paidAt`; a refund keeps it (when the money came in).
 * `providerRef`, when given, records the provider's payment id.
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
        updated_at = now()
    where id = ${orderId}`;
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
