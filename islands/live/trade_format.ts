/**
 * The terminal's figures in the browser, exact: prices on the instrument's grid, each position's P&L at the
 * latest quote (services/venue/pnl.ts, the venue's own formula) converted to the account currency at the
 * latest rate (services/venue/conversion.ts), and the ticket's margin and commission estimates. All decimal
 * strings over services/venue/decimal.ts; nothing here is a binary float.
 */
import { compareDecimal, placesOf, subDecimal, toScaled } from "../../services/venue/decimal.ts";
import { rateToAccount } from "../../services/venue/conversion.ts";
import { commissionFor, marginFor, positionPnlMoney } from "../../services/venue/pnl.ts";
import type { InstrumentJson, PositionJson, TickJson, VenueAccountJson } from "./venue_types.ts";

type Book = Readonly<Record<string, TickJson>>;

/** Decimal places of prices on `tickSize`'s grid ("0.00001" → 5, "0.25" → 2, "1" → 0). */
export function priceDigits(tickSize: string): number {
  try {
    return placesOf(tickSize);
  } catch {
    return 5;
  }
}

/**
 * `price` written with the grid's places ("1.0842" on a 0.00001 grid → "1.08420"). A significant digit finer
 * than the grid is kept, never rounded away ("5400.25" on a 0.1 grid stays): a connector's fill off the
 * venue's grid is what happened, and the trade history shows recorded prices with this too.
 */
export function fixPrice(price: string, tickSize: string): string {
  try {
    const fraction = price.split(".")[1]?.replace(/0+$/, "") ?? "";
    const digits = Math.max(priceDigits(tickSize), fraction.length);
    const scaled = toScaled(price, digits);
    const sign = scaled < 0n ? "-" : "";
    const text = (scaled < 0n ? -scaled : scaled).toString().padStart(digits + 1, "0");
    return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
  } catch {
    return price;
  }
}

/** A volume in lots as traders write it, with at least two places ("0.1" → "0.10", "1.255" stays). */
export function lots(volume: string): string {
  const [whole, fraction = ""] = volume.split(".");
  return `${whole}.${fraction.padEnd(2, "0")}`;
}

/** How many account-currency units one unit of `currency` is worth at the book's quotes (null: unknown). */
export function rateIn(book: Book, currency: string, accountCurrency: string): string | null {
  return rateToAccount({ latest: (symbol: string) => book[symbol] }, currency, accountCurrency);
}

/**
 * A position's unrealized P&L in the account currency at the book's latest quote, or the venue's own figure
 * when the book cannot say (no quote of the symbol or of the conversion pair yet; null if neither can).
 */
export function livePnl(
  position: Pick<PositionJson, "symbol" | "direction" | "volume" | "openPrice" | "pnl">,
  instrument: InstrumentJson | undefined,
  book: Book,
  accountCurrency: string,
): string | null {
  const tick = book[position.symbol];
  if (!instrument || !tick) return position.pnl;
  const rate = rateIn(book, instrument.quoteCurrency, accountCurrency);
  if (rate === null) return position.pnl;
  return positionPnlMoney(
    {
      direction: position.direction,
      volume: position.volume,
      openPrice: position.openPrice,
      contractSize: instrument.contractSize,
    },
    tick,
    rate,
  );
}

/** The account marked at the book's quotes: each position's P&L, their sum, equity and free margin. */
export interface LiveAccount {
  /** Per venue position, in the venue's order (null: not known yet). */
  pnls: (string | null)[];
  /** Per outside (connector) position, in the view's order (null: the venue does not quote it). */
  outsidePnls: (string | null)[];
  floating: string | null;
  equity: string | null;
  free: string | null;
}

/**
 * Marks `venue` at the book's latest quotes with the venue's own rule (services/venue/pnl.ts): equity =
 * balance + Σ venue (floating P&L − opening commission) + Σ outside floating P&L (a connector's positions,
 * without venue commission), free margin = equity − used margin. Falls back to the venue's last figures while
 * a quote or a commission is unknown, or when the view lists only part of the outside positions.
 */
export function liveAccount(
  venue: VenueAccountJson,
  instruments: readonly InstrumentJson[],
  book: Book,
): LiveAccount {
  const pnls = venue.positions.map((p) =>
    livePnl(p, instruments.find((i) => i.symbol === p.symbol), book, venue.currency)
  );
  const outside = venue.outsidePositions;
  const outsidePnls = outside.map((p) =>
    livePnl(p, instruments.find((i) => i.symbol === p.symbol), book, venue.currency)
  );
  const commissions = venue.positions.map((p) => p.commission);
  const partial = venue.outsideOpen > outside.length;
  if ([...pnls, ...outsidePnls, ...commissions].some((x) => x === null) || partial) {
    return { pnls, outsidePnls, floating: null, equity: venue.equity, free: venue.margin.free };
  }
  const floating = sumMoney([...pnls, ...outsidePnls] as string[]);
  const equity = subDecimal(sumMoney([venue.balance, floating]), sumMoney(commissions as string[]));
  const free = venue.margin.used === null ? venue.margin.free : subDecimal(equity, venue.margin.used);
  return { pnls, outsidePnls, floating, equity, free };
}

/** Sum of money strings, to the cent. */
export function sumMoney(amounts: readonly string[]): string {
  if (amounts.length === 0) return "0.00";
  let cents = 0n;
  for (const a of amounts) cents += toScaled(a, 2);
  const sign = cents < 0n ? "-" : "";
  const text = (cents < 0n ? -cents : cents).toString().padStart(3, "0");
  return `${sign}${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** What the ticket shows before sending: the margin the order would take and its commission per side. */
export interface Estimate {
  margin: string;
  commission: string;
}

/**
 * The margin (notional / leverage, in the account currency) and commission (per side) of an order of
 * `volume` lots at `price`, or null when the inputs or the quotes do not allow an exact figure. The venue
 * decides on its own figures; this is the ticket's preview.
 */
export function estimate(
  instrument: InstrumentJson,
  volume: string,
  price: string,
  book: Book,
  accountCurrency: string,
): Estimate | null {
  if (!/^\d+(\.\d+)?$/.test(volume) || !/^\d+(\.\d+)?$/.test(price)) return null;
  if (compareDecimal(volume, "0") <= 0) return null;
  const rate = rateIn(book, instrument.quoteCurrency, accountCurrency);
  const usd = rateIn(book, "USD", accountCurrency);
  if (rate === null || usd === null) return null;
  return {
    margin: marginFor(volume, instrument.contractSize, price, instrument.leverage, rate),
    commission: commissionFor(instrument.commissionPerLot, volume, usd),
  };
}

/**
 * "Stop loss must be below 1.08349 for a buy.": a venue field message ("must be below …", keyed "sl") as a
 * sentence under the field's name in `labels` (the order ticket's words, or the position rows').
 */
export function fieldError(labels: Record<string, string>, field: string, message: string): string {
  const text = `${labels[field] ?? field} ${message}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
