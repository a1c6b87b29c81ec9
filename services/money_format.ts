/**
 * Money as decimal strings ↔ bigint minor units, and money for people. Pure and free of packages, so islands
 * format with the same code as the server (services/money.ts re-exports all of it beside its schemas).
 */

/** A plain decimal with at most 2 places. */
export const MONEY = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "1234.5" → 123450n (cents). Throws on anything that is not a plain decimal with at most 2 places. */
export function toMinor(amount: string): bigint {
  const m = MONEY.exec(amount);
  if (!m) throw new RangeError(`not a money amount: ${JSON.stringify(amount)}`);
  const [, negative, units, cents = ""] = m;
  // The engine converts every figure of every event and state: up to 13 integer digits the cents fit a
  // float's exact integers (< 2^53), so one BigInt is made instead of two and a bigint multiply and add.
  const minor = units.length <= 13
    ? BigInt(
      Number(units) * 100 +
        (cents.length === 0 ? 0 : cents.length === 1 ? Number(cents) * 10 : Number(cents)),
    )
    : BigInt(units) * 100n + BigInt(cents.padEnd(2, "0"));
  return negative ? -minor : minor;
}

/** Bigints whose magnitude is below this convert to a float exactly (2^53). */
const EXACT = 9_007_199_254_740_992n;

/** 123450n → "1234.50". */
export function fromMinor(minor: bigint): string {
  const sign = minor < 0n ? "-" : "";
  const abs = minor < 0n ? -minor : minor;
  if (abs < EXACT) {
    // Integer float arithmetic is exact below 2^53, and cheaper than bigint division.
    const n = Number(abs);
    const cents = n % 100;
    return `${sign}${(n - cents) / 100}.${cents < 10 ? "0" : ""}${cents}`;
  }
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** `fromMinor`, passing null through (an absent floor or limit). */
export function fromMinorOrNull(minor: bigint | null): string | null {
  return minor === null ? null : fromMinor(minor);
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

/**
 * A share written with its sign of percent: "37.5 %" ("37.50" → "37.5 %", "100.00" → "100 %", "90" → "90 %").
 * The space is a no-break space (U+00A0): a line may not end on the number and start the next with "%".
 * Only zeros after a decimal point are trimmed, so a whole number keeps its own ("90" stayed "9" before).
 * The one way a share is written for a person: pages, rules text, mails, notifications and API messages.
 */
export function percent(value: string): string {
  const trimmed = value.includes(".") ? value.replace(/\.?0+$/, "") : value;
  return `${trimmed || "0"}\u00a0%`;
}
