/**
 * Buying a challenge: quote a plan (with an optional coupon), place the order, and have it paid — at once by
 * an instant provider (demo, or a free order), or later through the provider's webhook. The checkout page
 * and `POST /api/challenges/purchase` both call these; the interface is what they are built against.
 */
import type { Db, Sql } from "../../db/client.ts";
import { findActivePlan } from "../plans/queries.ts";
import {
  findOrderByKey,
  findOrderSummary,
  insertOrder,
  lockIdempotencyKey,
  lockOrder,
  type OrderSummary,
  setOrderStatus,
} from "./order_queries.ts";
import { Conflict, NotFound, ServiceUnavailable } from "../../lib/errors.ts";
import type { Deps } from "../deps.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { publishChange } from "../accounts/change_log.ts";
import { enforce, RATE_RULES } from "../rate_limit/rules.ts";
import { applicableCoupon } from "./coupons.ts";
import { priceWith } from "./pricing.ts";
import { fulfilOrder } from "./fulfil.ts";
import { paymentDeadline } from "./expiry.ts";
import { FREE_PROVIDER, paymentProvider } from "./payments/provider.ts";
import { isUuid } from "../../lib/validation.ts";
import { log } from "../log.ts";

export type { OrderSummary } from "./order_queries.ts";

interface PurchaseInput {
  planId: string;
  coupon?: string | null;
  /**
   * The buyer's key for this purchase attempt (8–200 characters, e.g. a UUID per Pay button or per API
   * request). The same key again is the same purchase: it returns the first order instead of placing another.
   */
  idempotencyKey?: string | null;
}

export interface Quote {
  planId: string;
  planVersionId: string;
  planName: string;
  currency: string;
  listPrice: string;
  discount: string;
  amount: string;
  coupon: { code: string; kind: "percent" | "amount"; value: string } | null;
}

export interface PurchaseResult {
  order: OrderSummary;
  challengeId: string | null;
  accountId: string | null;
  paymentUrl: string | null;
  /** True when an earlier attempt with the same idempotency key placed this order (nothing new was bought). */
  replayed: boolean;
}

/**
 * The price `userId` would pay for plan `input.planId` now. Throws NotFound (no such plan on sale),
 * Unprocessable("coupon", message) for an unknown/expired/not-applicable coupon, or 409 `coupon_exhausted`
 * (with `fields.coupon`) when no use of the coupon is left.
 */
export async function quotePurchase(
  db: Db,
  userId: string,
  input: PurchaseInput,
  now: Date = new Date(),
): Promise<Quote> {
  return (await quoteIn(db.sql, userId, input, now, false)).quote;
}

/**
 * Places an order for `userId` (rate-limited per user) at the current version of the plan. The demo provider
 * (and any free order) pays it at once: the challenge and its phase-1 account exist when this returns
 * (challengeId/accountId set). A redirect provider leaves the order pending, with `paymentUrl` where to pay
 * (may be null); the payment webhook fulfils it. Its coupon use is held from now until the order is paid, or
 * lapses unpaid after `PAYMENT_WINDOW_MS`, fails, or is cancelled. Throws like `quotePurchase`, and 429 past
 * the rate limit — which only new orders spend: a replayed Idempotency-Key costs nothing.
 *
 * Unverified emails may buy: payment details identify the buyer, and payouts are gated by KYC later.
 */
export async function purchase(
  deps: Deps,
  actor: Actor,
  userId: string,
  input: PurchaseInput,
  now: Date = new Date(),
): Promise<PurchaseResult> {
  const configured = paymentProvider(deps.config);
  const key = input.idempotencyKey ?? null;
  const placed = await deps.db.tx(async (tx) => {
    if (key !== null) {
      // A concurrent attempt with this key waits here for the first one's commit, then finds its order.
      await lockIdempotencyKey(tx, userId, key);
      const earlier = await findOrderByKey(tx, userId, key);
      if (earlier) return { kind: "replayed" as const, earlier };
    }
    // Only an order about to be placed spends the budget: a retry with the same key (the same purchase) must
    // not lock its buyer out. Charged under the key's lock, so concurrent retries charge it once.
    await enforce(deps.limiter, RATE_RULES.purchase_user, userId);
    // The coupon row stays locked to the end: the limits are checked and this order's hold is inserted
    // before any other buyer can check them.
    const { quote, couponId } = await quoteIn(tx, userId, input, now, true);
    const provider = quote.amount === "0.00" ? FREE_PROVIDER : configured;
    const orderId = await insertOrder(tx, {
      userId,
      planVersionId: quote.planVersionId,
      couponId,
      currency: quote.currency,
      listPrice: quote.listPrice,
      discount: quote.discount,
      amount: quote.amount,
      provider: provider.name,
      idempotencyKey: key,
      expiresAt: paymentDeadline(now),
    });
    // Kept for disputes and fraud reviews: who placed the order, from where.
    await recordAudit(tx, actor, "commerce.order_placed", {
      type: "order",
      id: orderId,
      details: {
        planVersionId: quote.planVersionId,
        amount: quote.amount,
        currency: quote.currency,
        coupon: quote.coupon?.code ?? null,
        provider: provider.name,
      },
    });
    if (provider.kind === "redirect") return { kind: "pending" as const, orderId, provider };
    const order = (await lockOrder(tx, orderId))!;
    return { kind: "paid" as const, ...await fulfilOrder(tx, order, { at: now }) };
  });

  if (placed.kind === "replayed") {
    const { earlier } = placed;
    const sameCoupon = (earlier.couponCode ?? "") === (input.coupon?.trim().toUpperCase() ?? "");
    if (earlier.planId !== input.planId || !sameCoupon) {
      throw new Conflict("This idempotency key was used for a different purchase.", {
        idempotencyKey: "was used for another plan or coupon",
      });
    }
    return {
      order: (await findOrderSummary(deps.db.sql, earlier.id))!,
      challengeId: earlier.challengeId,
      accountId: earlier.accountId,
      paymentUrl: null,
      replayed: true,
    };
  }
  if (placed.kind === "paid") {
    if (placed.change) await publishChange(deps.bus, placed.change);
    return {
      order: placed.order,
      challengeId: placed.challengeId,
      accountId: placed.accountId,
      paymentUrl: null,
      replayed: false,
    };
  }
  const order = (await findOrderSummary(deps.db.sql, placed.orderId))!;
  let session;
  try {
    session = await placed.provider.checkout(order);
  } catch (error) {
    log.error("opening a payment failed", {
      scope: "commerce",
      provider: placed.provider.name,
      orderId: order.id,
      error,
    });
    await deps.db.tx((tx) => setOrderStatus(tx, order.id, "cancelled"));
    throw new ServiceUnavailable("The payment provider is unavailable; please try again shortly.");
  }
  if (session.providerRef) {
    await deps.db.tx((tx) => setOrderStatus(tx, order.id, "pending", { providerRef: session.providerRef }));
  }
  return { order, challengeId: null, accountId: null, paymentUrl: session.paymentUrl, replayed: false };
}

async function quoteIn(
  sql: Sql,
  userId: string,
  input: PurchaseInput,
  now: Date,
  lock: boolean,
): Promise<{ quote: Quote; couponId: string | null }> {
  const plan = isUuid(input.planId) ? await findActivePlan(sql, input.planId) : null;
  if (!plan) throw new NotFound("No such plan on sale.");
  const code = input.coupon?.trim();
  const coupon = code
    ? await applicableCoupon(sql, code, { userId, planId: plan.id, currency: plan.currency, now }, lock)
    : null;
  const price = priceWith(plan.price, coupon);
  return {
    quote: {
      planId: plan.id,
      planVersionId: plan.versionId,
      planName: plan.name,
      currency: plan.currency,
      ...price,
      coupon: coupon ? { code: coupon.code, kind: coupon.kind, value: coupon.value } : null,
    },
    couponId: coupon?.id ?? null,
  };
}
