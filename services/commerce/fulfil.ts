/**
 * Fulfilment: what being paid means. In the caller's transaction, with the order row locked: the order turns
 * paid, its coupon redemption is counted, and the challenge and its phase-1 account are opened. The order's
 * row lock and the unique `challenges.order_id` make this happen at most once per order, however many
 * deliveries of a payment arrive at once. The caller publishes `change` after commit.
 */
import type postgres from "postgres";
import { Conflict } from "../../lib/errors.ts";
import { findOrderSummary, type LockedOrder, type OrderSummary, setOrderStatus } from "../../db/orders.ts";
import { openAccount } from "../accounts/open.ts";
import type { AccountChange } from "../accounts/summary.ts";
import { redeemCoupon } from "./coupons.ts";

export interface Fulfilment {
  order: OrderSummary;
  challengeId: string;
  accountId: string;
  /** The new account's first change, to publish after commit; null when the order had been paid before. */
  change: AccountChange | null;
  /** The coupon was past a limit when the payment arrived, and was honoured (see `redeemCoupon`). */
  couponOverLimit: boolean;
}

export interface FulfilOptions {
  at: Date;
  /** The provider's payment id, recorded on the order. */
  providerRef?: string | null;
  /** `enforce` when the order is placed and paid in one transaction; `honour` once money was taken. */
  couponPolicy: "enforce" | "honour";
}

/**
 * Marks `order` paid and opens what it bought. `order` must have been read with `lockOrder` in `tx`. An order
 * already paid returns what it opened then (idempotent); a cancelled or refunded one is a 409.
 */
export async function fulfilOrder(
  tx: postgres.TransactionSql,
  order: LockedOrder,
  opts: FulfilOptions,
): Promise<Fulfilment> {
  if (order.status === "paid") {
    return { ...await fulfilled(tx, order.id), change: null, couponOverLimit: false };
  }
  // A failed attempt followed by a successful retry is normal for card payments.
  if (order.status !== "pending" && order.status !== "failed") {
    throw new Conflict(`The order is ${order.status}; it cannot be paid.`);
  }
  const { overLimit } = order.couponId
    ? await redeemCoupon(tx, order.couponId, order.userId, opts.couponPolicy)
    : { overLimit: false };
  await setOrderStatus(tx, order.id, "paid", { paidAt: opts.at, providerRef: opts.providerRef });
  const [{ id: challengeId }] = await tx<{ id: string }[]>`
    insert into challenges (user_id, plan_version_id, status, current_phase, started_at, order_id)
    values (${order.userId}, ${order.planVersionId}, 'active', 1, ${opts.at}, ${order.id})
    returning id`;
  // The version the order was placed for, even if the plan has had a new one since: that is what was bought.
  const change = await openAccount(tx, {
    userId: order.userId,
    challengeId,
    planVersionId: order.planVersionId,
    stage: 0,
    at: opts.at,
  });
  return {
    order: (await findOrderSummary(tx, order.id))!,
    challengeId,
    accountId: change.accountId,
    change,
    couponOverLimit: overLimit,
  };
}

/** What a paid order opened: its challenge and the challenge's phase-1 account. */
async function fulfilled(
  tx: postgres.TransactionSql,
  orderId: string,
): Promise<{ order: OrderSummary; challengeId: string; accountId: string }> {
  const [row] = await tx<{ challenge_id: string; account_id: string }[]>`
    select c.id as challenge_id, a.id as account_id
    from challenges c join accounts a on a.challenge_id = c.id and a.phase = 1
    where c.order_id = ${orderId}`;
  return {
    order: (await findOrderSummary(tx, orderId))!,
    challengeId: row.challenge_id,
    accountId: row.account_id,
  };
}
