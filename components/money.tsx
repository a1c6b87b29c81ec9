/**
 * Money as traders read it in tables and tiles: always two decimals, the sign always shown on P&L
 * (+$1,240.50 / −$310.00, with a true minus sign), tabular figures so columns line up.
 */
import { toMinor } from "../services/money.ts";

// Building an Intl.NumberFormat costs far more than using one; a history page formats hundreds of amounts.
const formats = new Map<string, Intl.NumberFormat>();

function format(currency: string, signed: boolean): Intl.NumberFormat {
  const key = `${currency}|${signed}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
      signDisplay: signed ? "exceptZero" : "auto",
    });
    formats.set(key, f);
  }
  return f;
}

/** "1240.5" → "+$1,240.50", "-310" → "−$310.00", "0" → "$0.00" (exact: Intl formats the decimal string). */
export function formatSignedMoney(amount: string, currency: string): string {
  toMinor(amount); // validates
  return format(currency, true).format(amount as unknown as number).replace("-", "\u2212");
}

/** "100000" → "$100,000.00": an amount that is not a change (a balance, a peak). */
export function formatAmount(amount: string, currency: string): string {
  toMinor(amount);
  return format(currency, false).format(amount as unknown as number).replace("-", "\u2212");
}

/** The tone of a P&L figure: the colour repeats the sign, it never replaces it. */
export function pnlTone(amount: string): "gain" | "loss" | "flat" {
  const minor = toMinor(amount);
  return minor > 0n ? "gain" : minor < 0n ? "loss" : "flat";
}

export const PNL_TEXT = {
  gain: "text-brand-strong",
  loss: "text-red-700 dark:text-red-300",
  flat: "text-muted",
} as const;

/** A signed P&L amount, coloured by its sign (the sign itself is always written). */
export function SignedMoney(props: { amount: string; currency: string; class?: string }) {
  return (
    <span class={`tabular-nums ${PNL_TEXT[pnlTone(props.amount)]} ${props.class ?? ""}`}>
      {formatSignedMoney(props.amount, props.currency)}
    </span>
  );
}

const compact = new Map<string, Intl.NumberFormat>();

/** "+$1.2K" / "−$310" / "+$78": a signed amount to 2 significant digits, short enough for a calendar cell on a phone (the full one is in its title). */
export function formatCompactSignedMoney(amount: string, currency: string): string {
  toMinor(amount);
  let f = compact.get(currency);
  if (!f) {
    f = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      notation: "compact",
      maximumSignificantDigits: 2,
      signDisplay: "exceptZero",
    });
    compact.set(currency, f);
  }
  return f.format(amount as unknown as number).replace("-", "\u2212");
}
