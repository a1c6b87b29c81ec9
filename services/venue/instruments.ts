/**
 * The venue's instruments (DESIGN §3.5): what one lot is, the price grid, costs, leverage and when the market
 * is open. Rows live in `venue_instruments` (seeded by migration 021, edited at /admin/instruments).
 * Prices and money are decimal strings; the market-hours helpers are pure (no DB) and take the instant.
 */
import type { Sql } from "../../db/client.ts";
import { inSession, sessionOpeningAfter, type TradingHours } from "./market_hours.ts";

export type { TradingHours };

export interface Instrument {
  symbol: string;
  name: string;
  /** Units of the base per lot (100000 for FX, 100 oz for gold, 1 for indices and BTC). */
  contractSize: string;
  /** The price grid: every quoted price is a multiple of it. */
  tickSize: string;
  /** ISO currency the price (and so P&L) is in: USD, or JPY for USDJPY. */
  quoteCurrency: string;
  /** Typical ask − bid, in price units. */
  spread: string;
  /** USD per lot per side. */
  commissionPerLot: string;
  /** 100 means 1:100 (margin = notional / 100). */
  leverage: number;
  /** The simulator's standard deviation of one second's move, as a fraction of the price (e.g. "0.00004"). */
  volatility: string;
  hours: TradingHours | "24/7";
  /** Inactive instruments are listed for staff only and never open. */
  active: boolean;
}

/** An instrument as stored: plus where the simulator starts and when staff last changed it. */
export interface InstrumentRecord extends Instrument {
  /** The simulated feed's starting mid when it has no earlier price. */
  referencePrice: string;
  updatedAt: Date;
}

type Row = {
  symbol: string;
  name: string;
  contract_size: string;
  tick_size: string;
  quote_currency: string;
  spread: string;
  commission_per_lot: string;
  leverage: number;
  volatility: string;
  reference_price: string;
  hours: TradingHours | "24/7";
  active: boolean;
  updated_at: Date;
};

/** Trailing zeros off a numeric column's text ("0.00010000" → "0.0001"), so strings compare and print well. */
export function trimDecimal(value: string): string {
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}

function toInstrument(row: Row): InstrumentRecord {
  return {
    symbol: row.symbol,
    name: row.name,
    contractSize: trimDecimal(row.contract_size),
    tickSize: trimDecimal(row.tick_size),
    quoteCurrency: row.quote_currency,
    spread: trimDecimal(row.spread),
    // Money: always two places ("3.50").
    commissionPerLot: row.commission_per_lot,
    leverage: row.leverage,
    volatility: trimDecimal(row.volatility),
    referencePrice: trimDecimal(row.reference_price),
    hours: row.hours,
    active: row.active,
    updatedAt: row.updated_at,
  };
}

/** Every instrument, by symbol; `activeOnly` hides those staff switched off (what traders see). */
export async function listInstruments(
  sql: Sql,
  opts: { activeOnly?: boolean } = {},
): Promise<InstrumentRecord[]> {
  const rows = await sql<Row[]>`
    select * from venue_instruments
    where ${opts.activeOnly ? sql`active` : sql`true`}
    order by symbol`;
  return rows.map(toInstrument);
}

/** One instrument, or null for an unknown symbol (case-sensitive: symbols are stored upper-case). */
export async function instrumentBySymbol(sql: Sql, symbol: string): Promise<InstrumentRecord | null> {
  const [row] = await sql<Row[]>`select * from venue_instruments where symbol = ${symbol}`;
  return row ? toInstrument(row) : null;
}

/** Whether orders may be filled at `at`: the instrument is active and `at` falls inside one of its sessions. */
export function marketOpen(instrument: Pick<Instrument, "hours" | "active">, at: Date): boolean {
  if (!instrument.active) return false;
  if (instrument.hours === "24/7") return true;
  return inSession(instrument.hours, at);
}

/**
 * The first instant at or after `at` when the market is open: `at` itself when it is open now, null when it
 * never opens (inactive, or no session days).
 */
export function nextOpen(instrument: Pick<Instrument, "hours" | "active">, at: Date): Date | null {
  if (!instrument.active) return null;
  if (instrument.hours === "24/7") return at;
  if (inSession(instrument.hours, at)) return at;
  return sessionOpeningAfter(instrument.hours, at);
}
