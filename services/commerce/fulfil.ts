/**
 * Fulfilment: what being paid means. In the caller's transaction, with the order row locked: the order turns
 * paid, its coupon use is redeemed, and the challenge and its phase-1 account are opened. The order's row lock
 * and the unique `challenges.order_id` make this happen at most once per order, however many deliveries of a
 * payment arrive at once. The caller publishes `change` after commit.
 *
 * One payment opens nothing: one that arrives after the order's coupon hold lapsed, when the coupon has no
 * use left. The buyer paid a discount the firm no longer offers, and nobody has started anything yet, so the
 * order is kept paid but flagged `coupon_over_limit` for staff to refund (GET /api/admin/orders/flagged),
 * rather than redeeming the coupon past the limit it promised other buyers and the firm.
 */
import type postgres from "postgres";
import { Conflict } from "../../lib/errors.ts";
import { findOrderSummary, type LockedOrder, type OrderSummary, setOrderStatus } from "./order_queries.ts";
import { openAccount } from "../accounts/open.ts";
import type { AccountChange } from "../accounts/change_log.ts";
import { recordAudit, SYSTEM_ACTOR } from "../audit.ts";
import { redeemOrderCoupon } from "./coupons.ts";

interface Fulfilment {
  order: OrderSummary;
  /** What the payment opened; null when it opened nothing (`refused`). */
  challengeId: string | null;
  accountId: string | null;
  /** The new account's first change, to publish after commit; null when nothing was opened now. */
  change: AccountChange | null;
  /**
   * The payment came after the order's coupon hold lapsed and the coupon had no use left: the order is paid,
   * flagged `coupon_over_limit` for a refund, and opened nothing.
   */
  refused: boolean;
}

export interface FulfilOptions {
  at: Date;
  /** The provider's payment id, recorded on the order. */
  providerRef?: string | null;
}

/**
 * Marks `order` paid and opens what it bought. `order` must have been read with `lockOrder` in `tx`. An order
 * already paid returns what it opened then (idempotent); a cancelled or refunded one is a 409. A pending,
 * failed or expired order may be paid: a failed attempt followed by a successful retry is normal for card
 * payments, and money taken after the payment window closed must still be accounted for.
 */
export async function fulfilOrder(
  tx: postgres.TransactionSql,
  order: LockedOrder,
  opts: FulfilOptions,
): Promise<Fulfilment> {
  if (order.status === "paid") return { ...await fulfilled(tx, order), change: null };
  if (order.status !== "pending" && order.status !== "failed" && order.status !== "expired") {
    throw new Conflict(`The order is ${order.status}; it cannot be paid.`);
  }
  const use = await redeemOrderCoupon(tx, order, opts.at);
  await setOrderStatus(tx, order.id, "paid", { paidAt: opts.at, providerRef: opts.providerRef });
  if (use === "refused") {
    await recordAudit(tx, SYSTEM_ACTOR, "commerce.coupon_over_limit", {
      type: "order",
      id: order.id,
      details: {
        couponId: order.couponId,
        amount: order.amount,
        currency: order.currency,
        flag: "coupon_over_limit",
      },
    });
    return {
      order: (await findOrderSummary(tx, order.id))!,
      challengeId: null,
      accountId: null,
      change: null,
      refused: true,
    };
  }
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
    refused: false,
  };
}

/** What a paid order opened: its challenge and the challenge's phase-1 account (none if it was refused). */
async function fulfilled(
  tx: postgres.TransactionSql,
  order: LockedOrder,
): Promise<Omit<Fulfilment, "change">> {
  const [row] = await tx<{ challenge_id: string; account_id: string }[]>`
    select c.id as challenge_id, a.id as account_id
    from challenges c join accounts a on a.challenge_id = c.id and a.phase = 1
    where c.order_id = ${order.id}`;
  return {
    order: (await findOrderSummary(tx, order.id))!,
    challengeId: row?.challenge_id ?? null,
    accountId: row?.account_id ?? null,
    refused: order.couponUse === "refused",
  };
}
