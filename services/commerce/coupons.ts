/**
 * When a coupon may be used, and counting its uses. A coupon is checked when a price is quoted, and its
 * limits once more under the coupon's row lock when the order is placed: that order then holds one use until
 * it is paid (the use is redeemed) or lapses, fails or is cancelled (the use is given back). Holding at
 * placement is what keeps the limits with a provider that confirms payment minutes later: counting only at
 * payment let every buyer through while earlier orders waited to be paid.
 */
import type postgres from "postgres";
import type { Sql } from "../../db/client.ts";
import { HttpError, Unprocessable } from "../../lib/errors.ts";
import { addRedemption, type Coupon, couponUses, findCouponByCode, lockCoupon } from "./coupon_queries.ts";
import { type LockedOrder, setCouponUse } from "./order_queries.ts";

/** What a stored code looks like (the `coupons.code` check); anything else cannot exist. */
export const COUPON_CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;

/** Codes are matched case-insensitively: they are typed by people, and stored upper-case. */
function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

interface CouponUse {
  userId: string;
  planId: string;
  /** The plan's currency: an amount coupon only applies to prices in its own currency. */
  currency: string;
  now: Date;
}

/**
 * The coupon `code` if `use.userId` may apply it to `use.planId` now. Otherwise `Unprocessable("coupon", why)`,
 * or 409 `coupon_exhausted` (`couponExhausted`) when its total or per-user limit is reached. With `lock`, the
 * coupon row stays locked until the caller's transaction ends, so an order inserted before then holds a use
 * no other buyer can take.
 */
export async function applicableCoupon(
  sql: Sql,
  code: string,
  use: CouponUse,
  lock = false,
): Promise<Coupon> {
  const normalized = normalizeCode(code);
  const coupon = COUPON_CODE.test(normalized) ? await findCouponByCode(sql, normalized, lock) : null;
  // An unknown and a switched-off code read the same: the answer must not reveal which codes exist.
  if (!coupon || !coupon.active) throw new Unprocessable("coupon", "is not a valid code");
  if (coupon.startsAt && Date.parse(coupon.startsAt) > use.now.getTime()) {
    throw new Unprocessable("coupon", "is not valid yet");
  }
  if (coupon.expiresAt && Date.parse(coupon.expiresAt) <= use.now.getTime()) {
    throw new Unprocessable("coupon", "has expired");
  }
  if (coupon.planIds && !coupon.planIds.includes(use.planId)) {
    throw new Unprocessable("coupon", "does not apply to this plan");
  }
  if (coupon.kind === "amount" && coupon.currency !== use.currency) {
    throw new Unprocessable("coupon", `does not apply to prices in ${use.currency}`);
  }
  const problem = await limitProblem(sql, coupon, use.userId, use.now);
  if (problem) throw couponExhausted(coupon.code, problem);
  return coupon;
}

/**
 * 409 `coupon_exhausted`: the coupon exists and applies, but no use of it is left (for anyone, or for this
 * buyer). `fields.coupon` carries the reason, so forms show it next to the code.
 */
function couponExhausted(code: string, problem: string): HttpError {
  return new HttpError(409, "coupon_exhausted", `The coupon ${code} ${problem}.`, { coupon: problem });
}

/**
 * Turns the coupon use of `order` (locked, being paid at `at`) into a redemption. A hold still live at `at` is
 * the order's own use: it is redeemed without a check (the limits were checked when it was taken). A hold that
 * lapsed, or was given back when the order failed, is taken again only if the limits allow it now, under the
 * coupon's row lock; otherwise the use is `refused` and the order flagged `coupon_over_limit`, never counted
 * over the limit. Returns what became of the use.
 */
export async function redeemOrderCoupon(
  tx: postgres.TransactionSql,
  order: LockedOrder,
  at: Date,
): Promise<"redeemed" | "refused"> {
  if (!order.couponId) return "redeemed";
  const coupon = await lockCoupon(tx, order.couponId);
  if (!coupon) throw new Error(`coupon ${order.couponId} of an order does not exist`); // FK: cannot happen
  const live = order.couponUse === "held" && order.expiresAt !== null && order.expiresAt > at;
  // A lapsed hold is not counted by `couponUses`, so the check below is about the other buyers' uses only.
  if (!live && await limitProblem(tx, coupon, order.userId, at)) {
    await setCouponUse(tx, order.id, "refused", "coupon_over_limit");
    return "refused";
  }
  await setCouponUse(tx, order.id, "redeemed");
  await addRedemption(tx, coupon.id);
  return "redeemed";
}

async function limitProblem(sql: Sql, coupon: Coupon, userId: string, now: Date): Promise<string | null> {
  if (coupon.maxRedemptions === null && coupon.maxPerUser === null) return null;
  const uses = await couponUses(sql, coupon.id, userId, now);
  if (coupon.maxRedemptions !== null && uses.total >= coupon.maxRedemptions) return "has been used up";
  if (coupon.maxPerUser !== null && uses.mine >= coupon.maxPerUser) {
    if (uses.mine - uses.mineHeld < coupon.maxPerUser) {
      return "is held by an unpaid order of yours: pay that order, or use the code once it has expired";
    }
    return coupon.maxPerUser === 1
      ? "has already been used on your account"
      : `may be used at most ${coupon.maxPerUser} times per account`;
  }
  return null;
}
