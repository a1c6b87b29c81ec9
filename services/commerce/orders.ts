/**
 * A buyer's view of their orders (every read scoped by the caller: nobody reaches another's orders), and the
 * back office's list of orders that need a person.
 */
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { type FlaggedOrder, listFlaggedOrders, listUserOrders, type OrderListItem } from "./order_queries.ts";

/** How many orders a listing returns (a trader has a handful; the newest are what matter). */
const ORDERS_PAGE = 100;

/** The newest orders of `userId`, with what each bought and the challenge it opened once paid. */
export async function ordersOf(db: Db, userId: string): Promise<OrderListItem[]> {
  return await listUserOrders(db.sql, userId, ORDERS_PAGE);
}

/** How many flagged orders the back office list returns. */
const FLAGGED_PAGE = 200;

/**
 * Orders flagged for staff, newest first: `coupon_over_limit` ones were paid after their coupon hold lapsed
 * with no use of the coupon left, and opened nothing; while still `paid`, the money is to be refunded (the
 * provider's `refund.succeeded` then moves them to `refunded`).
 */
export async function flaggedOrders(db: Db): Promise<FlaggedOrder[]> {
  return await listFlaggedOrders(db.sql, FLAGGED_PAGE);
}

const iso = z.string().describe("ISO-8601 UTC");

/** The JSON shape of an `OrderSummary` (API documentation). */
export const orderSummarySchema = z.object({
  id: z.string(),
  status: z.enum(["pending", "paid", "failed", "cancelled", "expired", "refunded"]).describe(
    "`expired`: not paid within the payment window (its coupon use was given back); a late payment still settles it.",
  ),
  planId: z.string(),
  planVersionId: z.string(),
  currency: z.string(),
  listPrice: z.string(),
  discount: z.string(),
  amount: z.string(),
  provider: z.string().describe('"demo", "webhook", or "free" for an order that cost nothing'),
  couponCode: z.string().nullable(),
  createdAt: iso,
  paidAt: iso.nullable(),
});

/** An order in the buyer's list. */
export const orderListItemSchema = orderSummarySchema.extend({
  planName: z.string(),
  challengeId: z.string().nullable(),
});

/** A flagged order in the back office list. */
export const flaggedOrderSchema = orderSummarySchema.extend({
  flag: z.enum(["coupon_over_limit"]).describe(
    "`coupon_over_limit`: paid after its coupon hold lapsed with no use left; opened nothing; refund it.",
  ),
  userId: z.string(),
  email: z.string(),
  providerRef: z.string().nullable().describe("The provider's payment id, to refund it by."),
});
