/**
 * An account's open positions valued at a set of quotes: floating P&L net of the opening commission, used
 * margin, per position — the numbers the order path checks margin against, the marker puts into equity marks
 * and the API shows. Every figure is exact to the cent (services/venue/pnl.ts); a missing quote or rate makes
 * the valuation `null` rather than a guess.
 */
import type { Db } from "../../db/client.ts";
import { fromMinor, toMinor } from "../money.ts";
import type { VenuePosition } from "./book.ts";
import { rateToAccount } from "./conversion.ts";
import { type Instrument, listInstruments } from "./instruments.ts";
import { commissionFor, marginFor, markPrice, positionPnl, toAccountMoney } from "./pnl.ts";
import type { Tick } from "./price_book.ts";

/** Anything that answers the latest quote of a symbol: the PriceBook, or a snapshot at one tick. */
export interface Quotes {
  latest(symbol: string): Tick | undefined;
}

export interface PositionValue {
  /** Floating P&L before costs, account currency, to the cent (minor units). */
  pnl: bigint;
  /** The opening side's commission (minor units). */
  commission: bigint;
  /** Margin used at the mark price (minor units). */
  margin: bigint;
  mark: string;
}

export interface Valuation {
  /** Σ (pnl − commission): equity = balance + floating. */
  floating: bigint;
  usedMargin: bigint;
  byPosition: Map<string, PositionValue>;
}

/** Values one position, or null without a quote or a conversion rate. */
export function valuePosition(
  p: Pick<VenuePosition, "symbol" | "direction" | "volume" | "openPrice">,
  instrument: Instrument,
  quotes: Quotes,
  currency: string,
): PositionValue | null {
  const quote = quotes.latest(p.symbol);
  const rate = rateToAccount(quotes, instrument.quoteCurrency, currency);
  const usd = rateToAccount(quotes, "USD", currency);
  if (!quote || rate === null || usd === null) return null;
  const mark = markPrice(p.direction, quote);
  const shape = { ...p, contractSize: instrument.contractSize };
  return {
    pnl: toMinor(toAccountMoney(positionPnl(shape, mark), rate)),
    commission: toMinor(commissionFor(instrument.commissionPerLot, p.volume, usd)),
    margin: toMinor(marginFor(p.volume, instrument.contractSize, mark, instrument.leverage, rate)),
    mark,
  };
}

/** Values every position; null when one of them cannot be valued. */
export function valuate(
  positions: readonly VenuePosition[],
  instruments: ReadonlyMap<string, Instrument>,
  quotes: Quotes,
  currency: string,
): Valuation | null {
  const out: Valuation = { floating: 0n, usedMargin: 0n, byPosition: new Map() };
  for (const p of positions) {
    const instrument = instruments.get(p.symbol);
    const v = instrument && valuePosition(p, instrument, quotes, currency);
    if (!v) return null;
    out.floating += v.pnl - v.commission;
    out.usedMargin += v.margin;
    out.byPosition.set(p.id, v);
  }
  return out;
}

export const money = fromMinor;

const TTL_MS = 5_000;
const caches = new WeakMap<Db, { at: number; map: Promise<Map<string, Instrument>> }>();

/**
 * Every instrument by symbol, cached per database for a few seconds (staff edits reach the venue within
 * that), so the order path and the marker do not read the table per order or per tick.
 */
export function instrumentMap(db: Db, now = Date.now()): Promise<Map<string, Instrument>> {
  const cached = caches.get(db);
  if (cached && now - cached.at < TTL_MS) return cached.map;
  const map = listInstruments(db.sql).then((list) => new Map(list.map((i) => [i.symbol, i])));
  caches.set(db, { at: now, map });
  map.catch(() => caches.delete(db));
  return map;
}
