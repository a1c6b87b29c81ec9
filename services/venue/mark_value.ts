/**
 * The marker's per-tick valuation (services/venue/marker.ts): the same floating P&L as `valuate` (pnl − the
 * opening commission, each to the cent, half away from zero) from bigints prepared once per position and once
 * per tick, without the margin a mark does not need. Every tick re-values every holder of its symbol, so the
 * decimal-string arithmetic of `valuePosition` (parsing, scaling and rounding every operand on every call) was
 * most of the marker's CPU; here a position costs a few bigint products.
 *
 * Exactness: `positionPnl` and `commissionFor` compute exact products and `toAccountMoney` rounds the exact value
 * × rate to the cent once; `divRound` of an exact rational is the same whatever its representation, so these
 * results are the same cents (mark_value_test.ts checks it against `valuePosition`).
 */
import type { VenuePosition } from "./book.ts";
import { rateToAccount } from "./conversion.ts";
import { divRound, placesOf, toScaled } from "./decimal.ts";
import type { Instrument } from "./instruments.ts";
import type { Quotes } from "./valuation.ts";

/** A decimal as units × 10^-scale. */
interface Scaled {
  units: bigint;
  scale: number;
}

function scaled(value: string): Scaled {
  const scale = placesOf(value);
  return { units: toScaled(value, scale), scale };
}

const POW10: bigint[] = [];
function pow10(n: number): bigint {
  return POW10[n] ??= 10n ** BigInt(n);
}

/** A position ready to be valued at any quote. */
export interface PreparedPosition {
  id: string;
  symbol: string;
  buy: boolean;
  open: Scaled;
  /** volume × contract size, exact. */
  size: Scaled;
  /** commission per lot × volume (USD), exact. */
  commission: Scaled;
  quoteCurrency: string;
}

/** Prepares `p` for valuation (null when its instrument is unknown: it cannot be valued). */
export function preparePosition(
  p: Pick<VenuePosition, "id" | "symbol" | "direction" | "volume" | "openPrice">,
  instrument: Instrument | undefined,
): PreparedPosition | null {
  if (!instrument) return null;
  const volume = scaled(p.volume);
  const contract = scaled(instrument.contractSize);
  const perLot = scaled(instrument.commissionPerLot);
  return {
    id: p.id,
    symbol: p.symbol,
    buy: p.direction === "buy",
    open: scaled(p.openPrice),
    size: { units: volume.units * contract.units, scale: volume.scale + contract.scale },
    commission: { units: perLot.units * volume.units, scale: perLot.scale + volume.scale },
    quoteCurrency: instrument.quoteCurrency,
  };
}

/** Minor units (cents) of amount × rate, rounded half away from zero. */
function cents(amount: bigint, amountScale: number, rate: Scaled): bigint {
  return divRound(amount * rate.units * 100n, pow10(amountScale + rate.scale));
}

/**
 * Parsed quotes and conversion rates at one set of quotes (one tick's view). `reset` after the quotes change;
 * everything is re-derived lazily.
 */
export class MarkPrices {
  #marks = new Map<string, { bid: Scaled; ask: Scaled } | null>();
  #rates = new Map<string, Scaled | null>();

  constructor(private readonly quotes: Quotes) {}

  /** Forgets what was derived: call after the quotes changed. */
  reset(symbol?: string): void {
    if (symbol === undefined) this.#marks.clear();
    else this.#marks.delete(symbol);
    this.#rates.clear();
  }

  mark(symbol: string): { bid: Scaled; ask: Scaled } | null {
    let m = this.#marks.get(symbol);
    if (m === undefined) {
      const tick = this.quotes.latest(symbol);
      m = tick ? { bid: scaled(tick.bid), ask: scaled(tick.ask) } : null;
      this.#marks.set(symbol, m);
    }
    return m;
  }

  rate(from: string, to: string): Scaled | null {
    const key = `${from}>${to}`;
    let r = this.#rates.get(key);
    if (r === undefined) {
      const text = rateToAccount(this.quotes, from, to);
      r = text === null ? null : scaled(text);
      this.#rates.set(key, r);
    }
    return r;
  }
}

/**
 * Σ (pnl − opening commission) of `positions` in `currency`, in minor units, at `prices` — the `floating` of
 * `valuate` at the same quotes — or null when a quote or a rate is missing.
 */
export function floatingOf(
  positions: readonly PreparedPosition[],
  prices: MarkPrices,
  currency: string,
): bigint | null {
  let floating = 0n;
  const usd = prices.rate("USD", currency);
  if (usd === null) return null;
  for (const p of positions) {
    const quote = prices.mark(p.symbol);
    const rate = prices.rate(p.quoteCurrency, currency);
    if (!quote || !rate) return null;
    const mark = p.buy ? quote.bid : quote.ask;
    const scale = Math.max(mark.scale, p.open.scale);
    let move = mark.units * pow10(scale - mark.scale) - p.open.units * pow10(scale - p.open.scale);
    if (!p.buy) move = -move;
    floating += cents(move * p.size.units, scale + p.size.scale, rate);
    floating -= cents(p.commission.units, p.commission.scale, usd);
  }
  return floating;
}
