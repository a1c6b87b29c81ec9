/**
 * Venue arithmetic (DESIGN §3.5), exact and browser-safe (the terminal island imports it): no float, no DB, no
 * Deno. Prices, volumes and rates are decimal strings; money comes out as 2-place decimal strings in the account
 * currency, rounded half away from zero once, at the end.
 *
 * - Fill: a buy fills at the ask, a sell at the bid. Mark and close: a buy is worth the bid, a sell the ask.
 * - P&L in the quote currency = (exit − entry) × volume × contractSize, negated for a sell; exact.
 * - In the account currency: that × the quote→account rate (services/venue/conversion.ts), to the cent.
 * - Commission: `commissionPerLot` USD per lot per side, × the USD→account rate, to the cent. A position has
 *   paid its opening side (`commission`); closing pays the other. The engine's balance only moves at close
 *   (trade_close carries the P&L net of both sides), so equity = balance + Σ (pnl − opening commission).
 * - Margin = volume × contractSize × price / leverage, in the account currency, to the cent.
 */
import { divDecimal, mulDecimal, subDecimal } from "./decimal.ts";

export type Direction = "buy" | "sell";

export interface PositionShape {
  direction: Direction;
  volume: string;
  openPrice: string;
  contractSize: string;
}

export interface Quote {
  bid: string;
  ask: string;
}

/** The price a new order of `direction` fills at: buy at the ask, sell at the bid. */
export function fillPrice(direction: Direction, quote: Quote): string {
  return direction === "buy" ? quote.ask : quote.bid;
}

/** The price an open position is marked and closed at: a buy at the bid, a sell at the ask. */
export function markPrice(direction: Direction, quote: Quote): string {
  return direction === "buy" ? quote.bid : quote.ask;
}

/** (mark − open) × volume × contractSize, negated for a sell: exact, in the quote currency. */
export function positionPnl(position: PositionShape, mark: string): string {
  const move = subDecimal(mark, position.openPrice);
  const size = exactMul(position.volume, position.contractSize);
  const gross = exactMul(move, size);
  return position.direction === "buy" ? gross : negate(gross);
}

/** An amount of the quote currency in the account currency at `rate`, to the cent. */
export function toAccountMoney(amount: string, rate: string): string {
  return normalizeZero(mulDecimal(amount, rate, 2));
}

/** A position's P&L in the account currency at `quote` (converted at `rate`), to the cent, before costs. */
export function positionPnlMoney(position: PositionShape, quote: Quote, rate: string): string {
  return toAccountMoney(positionPnl(position, markPrice(position.direction, quote)), rate);
}

/** One side's commission for `volume` lots: perLot (USD) × volume × the USD→account rate, to the cent. */
export function commissionFor(commissionPerLot: string, volume: string, usdRate: string): string {
  return toAccountMoney(exactMul(commissionPerLot, volume), usdRate);
}

/** Margin a position of `volume` lots at `price` uses: notional / leverage, in the account currency. */
export function marginFor(
  volume: string,
  contractSize: string,
  price: string,
  leverage: number,
  rate: string,
): string {
  const notional = exactMul(exactMul(volume, contractSize), price);
  const quoteMargin = divDecimal(notional, String(leverage), 12);
  return toAccountMoney(quoteMargin, rate);
}

/** Realized P&L of closing `volume` of a position at `exit`: gross converted, minus both sides' commission. */
export function realizedPnl(
  position: PositionShape,
  exit: string,
  rate: string,
  commissionPerLot: string,
  usdRate: string,
): string {
  const gross = toAccountMoney(positionPnl(position, exit), rate);
  const side = commissionFor(commissionPerLot, position.volume, usdRate);
  return subDecimal(subDecimal(gross, side), side);
}

/** a × b with every place kept. */
function exactMul(a: string, b: string): string {
  return mulDecimal(a, b, places(a) + places(b));
}

function places(value: string): number {
  const dot = value.indexOf(".");
  return dot < 0 ? 0 : value.length - dot - 1;
}

function negate(value: string): string {
  if (/^-?0(\.0*)?$/.test(value)) return value.replace(/^-/, "");
  return value.startsWith("-") ? value.slice(1) : `-${value}`;
}

function normalizeZero(value: string): string {
  return /^-0(\.0*)?$/.test(value) ? value.slice(1) : value;
}
