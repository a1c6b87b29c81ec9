/**
 * Money is never a binary float: amounts travel as decimal strings ("100000.00") and are computed on
 * bigint minor units (cents). Rounding is explicit at every division.
 */
import { z } from "zod";

const MONEY = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

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
    .refine((v) => !MONEY.test(v) || (v.length <= 20 && toMinor(v) >= min && toMinor(v) <= max), range);
}

/** Whether an amount (in minor units) fits the widest money column: a computed balance must, to be stored. */
export function fitsMoneyColumn(minor: bigint): boolean {
  return minor <= MONEY_MAX_MINOR && minor >= -MONEY_MAX_MINOR;
}

/** "1234.5" → 123450n (cents). Throws on anything that is not a plain decimal with at most 2 places. */
export function toMinor(amount: string): bigint {
  const m = MONEY.exec(amount);
  if (!m) throw new RangeError(`not a money amount: ${JSON.stringify(amount)}`);
  const minor = BigInt(m[2]) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  return m[1] ? -minor : minor;
}

/** 123450n → "1234.50". */
export function fromMinor(minor: bigint): string {
  const sign = minor < 0n ? "-" : "";
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** `fromMinor`, passing null through (an absent floor or limit). */
export function fromMinorOrNull(minor: bigint | null): string | null {
  return minor === null ? null : fromMinor(minor);
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

/**
 * Formats a decimal string for people, without going through a float: Intl formats the string as an exact
 * decimal. Whole amounts drop the cents ("$100,000"), others keep them ("$99.50").
 */
export function formatMoney(amount: string, currency: string, locale = "en-US"): string {
  toMinor(amount); // validates
  const whole = /\.0*$/.test(amount) || !amount.includes(".");
  return moneyFormat(locale, currency, whole).format(amount as unknown as number); // Intl takes exact decimal strings
}

// Building an Intl.NumberFormat costs ~50 µs, formatting with one ~1 µs: pages format hundreds of amounts.
const formats = new Map<string, Intl.NumberFormat>();

function moneyFormat(locale: string, currency: string, whole: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}|${whole}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: 2,
    });
    formats.set(key, format);
  }
  return format;
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
