/**
 * The demo trader's market: a few USD-quoted instruments and a deterministic day-by-day price walk. Prices
 * are integer ticks and money integer cents, so a trade's P&L is exact.
 */
import type { Random } from "./random.ts";

export interface Instrument {
  symbol: string;
  /** Price decimals: a price of `ticks` reads `ticks / 10^decimals`. */
  decimals: number;
  /** What one tick is worth for one lot, in cents. */
  centsPerTickPerLot: number;
  /** Volume granularity in hundredths of a lot (chosen so every P&L and commission is whole cents). */
  lotStep: number;
  /** Round-turn commission per lot, in cents. */
  commissionPerLot: number;
  /** A reference price in ticks, where the walk starts. */
  price: number;
  /** A typical day's range in ticks. */
  range: number;
  /** How often the demo trader picks it, relative to the others. */
  weight: number;
}

/** The venue's instruments as DESIGN §3.5 names them (USD-quoted, so no conversion is involved). */
export const INSTRUMENTS: readonly Instrument[] = [
  // 1 lot = 100,000 units: a pip (10 ticks) is $10.
  {
    symbol: "EURUSD",
    decimals: 5,
    centsPerTickPerLot: 100,
    lotStep: 10,
    commissionPerLot: 700,
    price: 108_500,
    range: 700,
    weight: 4,
  },
  {
    symbol: "GBPUSD",
    decimals: 5,
    centsPerTickPerLot: 100,
    lotStep: 10,
    commissionPerLot: 700,
    price: 127_000,
    range: 900,
    weight: 2,
  },
  // 1 lot = 100 oz: $1.00 is $100.
  {
    symbol: "XAUUSD",
    decimals: 2,
    centsPerTickPerLot: 100,
    lotStep: 10,
    commissionPerLot: 700,
    price: 235_000,
    range: 3_000,
    weight: 3,
  },
  // Index CFDs, 1 lot = $1 a point; traded in whole lots.
  {
    symbol: "US500",
    decimals: 2,
    centsPerTickPerLot: 1,
    lotStep: 100,
    commissionPerLot: 50,
    price: 540_000,
    range: 6_000,
    weight: 2,
  },
  {
    symbol: "NAS100",
    decimals: 2,
    centsPerTickPerLot: 1,
    lotStep: 100,
    commissionPerLot: 50,
    price: 1_900_000,
    range: 25_000,
    weight: 2,
  },
];

const DAY_MS = 86_400_000;

/**
 * Each instrument's price level per calendar day, a random walk from `origin` (a UTC day index). The walk is
 * computed from the origin forward whatever order days are asked in, so every account sees the same market.
 */
export class Market {
  #walks = new Map<string, { levels: number[]; random: Random }>();
  #random: Random;
  #origin: number;

  constructor(random: Random, origin: number) {
    this.#random = random;
    this.#origin = Math.floor(origin / DAY_MS);
  }

  /** The level (ticks) of `instrument` on the calendar date `dayKey` (YYYY-MM-DD). */
  level(instrument: Instrument, dayKey: string): number {
    const index = Math.floor(Date.parse(`${dayKey}T00:00:00Z`) / DAY_MS) - this.#origin;
    if (!(index >= 0)) throw new RangeError(`${dayKey} is before the market's origin`);
    let walk = this.#walks.get(instrument.symbol);
    if (!walk) {
      walk = { levels: [instrument.price], random: this.#random.fork(instrument.symbol) };
      this.#walks.set(instrument.symbol, walk);
    }
    const { levels, random } = walk;
    while (levels.length <= index) {
      const step = Math.round((random.next() - 0.5) * instrument.range * 0.9);
      levels.push(Math.max(instrument.range * 5, levels[levels.length - 1] + step));
    }
    return levels[index];
  }
}
