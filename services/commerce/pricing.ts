/**
 * What an order costs: the list price less a coupon's discount. Pure and exact (bigint cents); percentages
 * round half away from zero to the cent, like every percentage in the app (`percentOf`).
 */
import { fromMinor, percentOf, toMinor } from "../money.ts";
import type { CouponKind } from "./coupon_queries.ts";

interface Price {
  listPrice: string;
  discount: string;
  amount: string;
}

/**
 * Prices `listPrice` with an optional discount. An amount coupon larger than the price makes the order free
 * (never negative); a percent coupon takes `value` % of the list price.
 *
 * @example
 * priceWith("540.00", { kind: "percent", value: "15" }) // { listPrice: "540.00", discount: "81.00", amount: "459.00" }
 */
export function priceWith(listPrice: string, coupon: { kind: CouponKind; value: string } | null): Price {
  const list = toMinor(listPrice);
  let discount = 0n;
  if (coupon?.kind === "percent") discount = toMinor(percentOf(listPrice, coupon.value));
  else if (coupon?.kind === "amount") discount = toMinor(coupon.value);
  if (discount > list) discount = list;
  return { listPrice: fromMinor(list), discount: fromMinor(discount), amount: fromMinor(list - discount) };
}
