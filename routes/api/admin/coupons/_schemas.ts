/** Response shape of the coupons admin API (documentation; the data comes from services/commerce/coupon_queries.ts). */
import { z } from "zod";

export const couponSchema = z.object({
  id: z.string(),
  code: z.string().describe("Upper-case; matched case-insensitively at checkout."),
  kind: z.enum(["percent", "amount"]),
  value: z.string().describe('percent: "15.00" % of the list price; amount: money in `currency`'),
  currency: z.string().nullable(),
  planIds: z.array(z.string()).nullable().describe("The plans it applies to; null = every plan."),
  startsAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  maxRedemptions: z.int().nullable(),
  maxPerUser: z.int().nullable(),
  redemptions: z.int().describe(
    "Paid orders that used it (refunds included: a refund does not give it back).",
  ),
  active: z.boolean(),
  createdAt: z.string(),
});

/** A malformed id answers like an unknown one (`define.api` turns the refusal into this 404). */
export const couponParams = z.object({ id: z.uuid("No such coupon.") });
