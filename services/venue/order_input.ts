/**
 * What the order and position endpoints accept (422 on anything else): lots with at most 2 decimals, prices as
 * positive decimals, SL/TP on the right side of the price they protect.
 */
import { z } from "zod";
import { compareDecimal } from "./decimal.ts";
import type { Direction } from "./pnl.ts";

const LOTS = /^\d{1,3}(\.\d{1,2})?$/;
const PRICE = /^\d{1,12}(\.\d{1,8})?$/;

// zod runs a refinement even when the pattern before it failed, and compareDecimal throws on a non-decimal:
// each refinement checks the pattern again, so "x" is a 422 naming the field, never a 500.
/** Lots: 0.01 to 100, at most 2 decimals. */
export const lotsSchema = z.string()
  .regex(LOTS, 'must be a number of lots with at most 2 decimals, e.g. "0.10"')
  .refine(
    (v) => !LOTS.test(v) || (compareDecimal(v, "0") > 0 && compareDecimal(v, "100") <= 0),
    "must be between 0.01 and 100",
  );

export const priceSchema = z.string()
  .regex(PRICE, "must be a positive decimal price")
  .refine((v) => !PRICE.test(v) || compareDecimal(v, "0") > 0, "must be greater than 0");

export const orderInput = z.object({
  symbol: z.string().regex(/^[A-Z0-9]{3,12}$/, "must be an instrument symbol, e.g. EURUSD"),
  direction: z.enum(["buy", "sell"]),
  type: z.enum(["market", "limit", "stop"]),
  volume: lotsSchema,
  price: priceSchema.optional(),
  sl: priceSchema.nullable().optional(),
  tp: priceSchema.nullable().optional(),
}).superRefine((o, ctx) => {
  if (o.type === "market" && o.price !== undefined) {
    ctx.addIssue({ code: "custom", path: ["price"], message: "is not taken by a market order" });
  }
  if (o.type !== "market" && o.price === undefined) {
    ctx.addIssue({ code: "custom", path: ["price"], message: `is required for a ${o.type} order` });
  }
});
export type OrderInput = z.infer<typeof orderInput>;

export const protectionInput = z.object({
  sl: priceSchema.nullable(),
  tp: priceSchema.nullable(),
});

export const closeInput = z.object({ volume: lotsSchema.optional() });

/**
 * Field errors for SL/TP on the wrong side of `price` (a buy's stop-loss below it and take-profit above it,
 * a sell's the other way round).
 */
export function protectionErrors(
  direction: Direction,
  price: string,
  sl: string | null | undefined,
  tp: string | null | undefined,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const buy = direction === "buy";
  if (sl && compareDecimal(sl, price) !== (buy ? -1 : 1)) {
    errors.sl = `must be ${buy ? "below" : "above"} ${price} for a ${direction}`;
  }
  if (tp && compareDecimal(tp, price) !== (buy ? 1 : -1)) {
    errors.tp = `must be ${buy ? "above" : "below"} ${price} for a ${direction}`;
  }
  return errors;
}

/**
 * Whether a pending order triggers at a quote: a buy limit at ask ≤ price, a buy stop at ask ≥ price, a sell
 * limit at bid ≥ price, a sell stop at bid ≤ price.
 */
export function triggers(
  order: { direction: Direction; type: "limit" | "stop" | "market"; price: string | null },
  quote: { bid: string; ask: string },
): boolean {
  if (order.price === null) return false;
  const side = order.direction === "buy" ? quote.ask : quote.bid;
  const c = compareDecimal(side, order.price);
  if (order.direction === "buy") return order.type === "limit" ? c <= 0 : c >= 0;
  return order.type === "limit" ? c >= 0 : c <= 0;
}

/** Which protection a quote hits on an open position: a buy's SL at bid ≤ sl, TP at bid ≥ tp; a sell's at the ask. */
export function protectionHit(
  p: { direction: Direction; sl: string | null; tp: string | null },
  quote: { bid: string; ask: string },
): "sl" | "tp" | null {
  const mark = p.direction === "buy" ? quote.bid : quote.ask;
  const buy = p.direction === "buy";
  if (p.sl !== null && compareDecimal(mark, p.sl) !== (buy ? 1 : -1)) return "sl";
  if (p.tp !== null && compareDecimal(mark, p.tp) !== (buy ? -1 : 1)) return "tp";
  return null;
}
