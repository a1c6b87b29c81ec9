/** A buyer's view of their orders. Every read is scoped by the caller: nobody reaches another's orders. */
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { listUserOrders, type OrderListItem } from "../../db/orders.ts";

/** How many orders a listing returns (a trader has a handful; the newest are what matter). */
export const ORDERS_PAGE = 100;

/** The newest orders of `userId`, with what each bought and the challenge it opened once paid. */
export async function ordersOf(db: Db, userId: string): Promise<OrderListItem[]> {
  return await listUserOrders(db.sql, userId, ORDERS_PAGE);
}

const iso = z.string().describe("ISO-8601 UTC");

/** The JSON shape of an `OrderSummary` (API documentation). */
export const orderSummarySchema = z.object({
  id: z.string(),
  status: z.enum(["pending", "paid", "failed", "cancelled", "refunded"]),
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
