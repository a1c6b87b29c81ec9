/**
 * Currency conversion at the latest quotes (DESIGN §3.5: P&L in the quote currency is converted to the account
 * currency at the current rate). Rates come from the FX pairs in the PriceBook at their mid, e.g. JPY → USD is
 * 1 / USDJPY mid; a pair neither way round is crossed through USD (JPY → EUR = JPY → USD → EUR).
 */
import { addDecimal, divDecimal, mulDecimal } from "./decimal.ts";
import type { Tick } from "./tick.ts";

/** Places of a returned rate: enough that 10 million of a quote currency converts exactly to the cent. */
export const RATE_PLACES = 12;

/** What conversion reads of a PriceBook (structural, so the browser's quote map serves too: islands import this). */
type Quotes = { latest(symbol: string): Tick | undefined };

/** The mid of `symbol` as a decimal string, or null without a quote. */
export function midOf(book: Quotes, symbol: string): string | null {
  const tick = book.latest(symbol);
  if (!tick) return null;
  // (bid + ask) / 2 exactly; the extra places keep an odd last digit.
  const places = Math.max(decimals(tick.bid), decimals(tick.ask)) + 1;
  return divDecimal(addDecimal(tick.bid, tick.ask), "2", places);
}

function decimals(value: string): number {
  const dot = value.indexOf(".");
  return dot < 0 ? 0 : value.length - dot - 1;
}

function direct(book: Quotes, from: string, to: string): string | null {
  if (from === to) return "1";
  const straight = midOf(book, `${from}${to}`);
  if (straight !== null) return trimRate(mulDecimal(straight, "1", RATE_PLACES));
  const inverse = midOf(book, `${to}${from}`);
  if (inverse !== null && !/^-?0(\.0+)?$/.test(inverse)) {
    return trimRate(divDecimal("1", inverse, RATE_PLACES));
  }
  return null;
}

function trimRate(rate: string): string {
  return rate.includes(".") ? rate.replace(/0+$/, "").replace(/\.$/, "") : rate;
}

/**
 * How many units of `accountCurrency` one unit of `quoteCurrency` is worth now, as a decimal string with at most
 * RATE_PLACES places, or null when the book lacks the quotes to say (the caller refuses rather than guess).
 *
 * @example rateToAccount(book, "JPY", "USD") // with USDJPY 149.995/150.005 → "0.006666666667"
 */
export function rateToAccount(book: Quotes, quoteCurrency: string, accountCurrency: string): string | null {
  const from = quoteCurrency.toUpperCase();
  const to = accountCurrency.toUpperCase();
  const simple = direct(book, from, to);
  if (simple !== null) return simple;
  const toUsd = direct(book, from, "USD");
  const fromUsd = direct(book, "USD", to);
  if (toUsd === null || fromUsd === null) return null;
  return trimRate(mulDecimal(toUsd, fromUsd, RATE_PLACES));
}

/** `amount` of the quote currency in the account currency at `rate`, rounded to the cent. */
export function convertToCents(amount: string, rate: string): string {
  return mulDecimal(amount, rate, 2);
}
