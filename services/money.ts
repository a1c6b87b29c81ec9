/**
 * Money is never a binary float: amounts travel as decimal strings ("100000.00") and are computed on
 * bigint minor units (cents). Rounding is explicit at every division.
 */
import { z } from "zod";
import { formatMoney, fromMinor, fromMinorOrNull, MONEY, toMinor } from "./money_format.ts";

export { formatMoney, fromMinor, fromMinorOrNull, toMinor };

/** NUMERIC(15,2), the widest money column (balances, equity, P&L, payouts): |amount| < 10^13. */
export const MONEY_MAX = "9999999999999.99";
/** NUMERIC(12,2): plan prices, coupon values and order amounts. */
export const PRICE_MAX = "9999999999.99";

const MONEY_MAX_MINOR = toMinor(MONEY_MAX);

/**
 * Every money amount the API takes: a decimal string with at most 2 places between `min` and `max`
 * (default 0 to MONEY_MAX), so that it fits the column it ends up in and a 422 names the bound instead of
 * the database answering "numeric field overflow". A negative `min` allows a sign.
 */
export function moneySchema(opts: { min?: string; max?: string } = {}): z.ZodString {
  const min = toMinor(opts.min ?? "0");
  const max = toMinor(opts.max ?? MONEY_MAX);
  const syntax = min < 0n ? MONEY : /^\d+(\.\d{1,2})?$/;
  const range = min === 1n
    ? `must be greater than 0 and at most ${fromMinor(max)}`
    : `must be between ${fromMinor(min)} and ${fromMinor(max)}`;
  return z.string()
    .regex(syntax, 'must be a decimal string with at most 2 decimals, e.g. "100.00"')
    // Malformed input is the regex's to report; 20 characters hold any amount that can be in range.
    .refine((v) => {
      if (!MONEY.test(v)) return true;
      if (v.length > 20) return false;
      const minor = toMinor(v);
      return minor >= min && minor <= max;
    }, range);
}

/** Whether an amount (in minor units) fits the widest money column: a computed balance must, to be stored. */
export function fitsMoneyColumn(minor: bigint): boolean {
  return minor <= MONEY_MAX_MINOR && minor >= -MONEY_MAX_MINOR;
}

/**
 * `percent` % of `amount`, rounded half away from zero to the cent: percentOf("100000.00", "5") → "5000.00".
 * Percent strings may carry up to 4 decimals.
 */
export function percentOf(amount: string, percent: string): string {
  const p = /^(\d+)(?:\.(\d{1,4}))?$/.exec(percent);
  if (!p) throw new RangeError(`not a percentage: ${JSON.stringify(percent)}`);
  const scaledPercent = BigInt(p[1]) * 10_000n + BigInt((p[2] ?? "").padEnd(4, "0")); // percent × 10^4
  const numerator = toMinor(amount) * scaledPercent;
  const denominator = 100n * 10_000n;
  const sign = numerator < 0n ? -1n : 1n;
  const abs = numerator * sign;
  return fromMinor(sign * ((abs + denominator / 2n) / denominator));
}

/** "100000.00" → "100K", "1500000.00" → "1.5M": account-size labels. */
export function compactSize(amount: string): string {
  const units = toMinor(amount) / 100n;
  if (units >= 1_000_000n && units % 100_000n === 0n) {
    const tenths = units / 100_000n;
    return `${tenths / 10n}${tenths % 10n ? `.${tenths % 10n}` : ""}M`;
  }
  if (units >= 1_000n && units % 1_000n === 0n) return `${units / 1_000n}K`;
  return String(units);
}
