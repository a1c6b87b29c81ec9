/**
 * When a coupon may be used, and counting its use. A coupon is checked when a price is quoted and when the
 * order is placed, and its limits once more under the coupon's row lock when the order is paid, because many
 * buyers may race for the last redemption.
 */
import type postgres from "postgres";
import { Unprocessable } from "../../lib/errors.ts";
import {
  addRedemption,
  type Coupon,
  findCouponByCode,
  lockCoupon,
  userRedemptions,
} from "../../db/coupons.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** What a stored code looks like (the `coupons.code` check); anything else cannot exist. */
export const COUPON_CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;

/** Codes are matched case-insensitively: they are typed by people, and stored upper-case. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

export interface CouponUse {
  userId: string;
  planId: string;
  /** The plan's currency: an amount coupon only applies to prices in its own currency. */
  currency: string;
  now: Date;
}

/**
 * The coupon `code` if `use.userId` may apply it to `use.planId` now; otherwise `Unprocessable("coupon", why)`.
 * With `lock`, the coupon row stays locked until the caller's transaction ends.
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
  const problem = await limitProblem(sql, coupon, use.userId);
  if (problem) throw new Unprocessable("coupon", problem);
  return coupon;
}

/**
 * Counts one redemption of coupon `couponId` by `userId` in the payment transaction, re-checking the limits
 * under the coupon's row lock. `enforce` (the order is paid in this very transaction, so refusing costs the
 * buyer nothing) throws `Unprocessable("coupon")` when a limit has been reached since the quote. `honour`
 * (the provider has already taken the discounted amount) counts the redemption anyway and reports it: a paid
 * customer left with nothing would be worse than one redemption over the limit.
 */
export async function redeemCoupon(
  tx: postgres.TransactionSql,
  couponId: string,
  userId: string,
  policy: "enforce" | "honour",
): Promise<{ overLimit: boolean }> {
  const coupon = await lockCoupon(tx, couponId);
  if (!coupon) throw new Error(`coupon ${couponId} of an order does not exist`); // FK: cannot happen
  const problem = await limitProblem(tx, coupon, userId);
  if (problem && policy === "enforce") throw new Unprocessable("coupon", problem);
  if (problem) console.warn(`[commerce] coupon ${coupon.code} redeemed over its limit by a paid order`);
  await addRedemption(tx, couponId);
  return { overLimit: problem !== null };
}

async function limitProblem(sql: Sql, coupon: Coupon, userId: string): Promise<string | null> {
  if (coupon.maxRedemptions !== null && coupon.redemptions >= coupon.maxRedemptions) {
    return "has been used up";
  }
  if (coupon.maxPerUser !== null && await userRedemptions(sql, coupon.id, userId) >= coupon.maxPerUser) {
    return coupon.maxPerUser === 1
      ? "has already been used on your account"
      : `may be used at most ${coupon.maxPerUser} times per account`;
  }
  return null;
}
