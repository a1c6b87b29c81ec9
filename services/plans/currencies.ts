/**
 * The currencies a plan may be sold in: the ones the app can both price and format. An account's P&L and
 * commissions (USD per lot) are converted into its currency at the venue's quotes, crossed through USD
 * (services/venue/conversion.ts), so the currency needs an active FX pair with USD; and money is shown with
 * Intl, so it must be a currency Intl knows. Read from the instruments staff edit rather than listed here:
 * a pair added at /admin/instruments makes its currency sellable. XAU, BTC (priced against USD, but not
 * money Intl formats) and ISO's "XXX" (no currency) are refused.
 */
import type { Sql } from "../../db/client.ts";
import { Unprocessable } from "../../lib/errors.ts";

const FORMATTABLE = new Set(Intl.supportedValuesOf("currency"));

/** USD and every currency with an active `…USD` or `USD…` instrument that Intl formats, sorted. */
export async function priceableCurrencies(sql: Sql): Promise<string[]> {
  const rows = await sql<{ currency: string }[]>`
    select substr(symbol, 1, 3) as currency from venue_instruments where active and symbol ~ '^[A-Z]{3}USD$'
    union
    select substr(symbol, 4, 3) from venue_instruments where active and symbol ~ '^USD[A-Z]{3}$'`;
  const codes = new Set(["USD", ...rows.map((r) => r.currency)]);
  return [...codes].filter((c) => FORMATTABLE.has(c)).sort();
}

/** 422 on `currency` unless the app can price and format `currency`. */
export async function assertPriceableCurrency(sql: Sql, currency: string): Promise<void> {
  const supported = await priceableCurrencies(sql);
  if (!supported.includes(currency)) {
    throw new Unprocessable("currency", `must be one the venue prices: ${supported.join(", ")}`);
  }
}
