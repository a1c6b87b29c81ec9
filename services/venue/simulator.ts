/**
 * The simulated price feed's generator: a seeded random walk per symbol in whole ticks, so every price is on
 * the instrument's grid and no float reaches a price string. Pure and deterministic: the same seed, start
 * prices and sequence of `step(at)` calls give the same ticks on every machine. Each symbol has its own random
 * stream, so adding an instrument does not change another's prices. Closed markets neither move nor draw.
 */
import { seededRandom } from "../demo/random.ts";
import { fromScaled, placesOf, toScaled } from "./decimal.ts";
import { type Instrument, marketOpen } from "./instruments.ts";
import type { Tick } from "./price_book.ts";

export type SimulatedInstrument =
  & Pick<
    Instrument,
    "symbol" | "tickSize" | "spread" | "volatility" | "hours" | "active"
  >
  & { referencePrice: string };

interface Walk {
  instrument: SimulatedInstrument;
  next: () => number;
  scale: number;
  tickUnits: bigint;
  /** The mid in whole ticks. */
  mid: number;
  reference: number;
  spreadTicks: number;
  volatility: number;
  lastAt: number | null;
}

/** How hard the walk leans back toward its reference price per second, so a demo that runs for months stays sane. */
const REVERSION_PER_SECOND = 0.00002;

export interface Simulator {
  /** The ticks at instant `at` (epoch ms) of every instrument whose market is open then. */
  step(at: number): Tick[];
}

/**
 * @param opts.seed any string; the same seed gives the same walk.
 * @param opts.startMids where each symbol starts (e.g. the last stored quote's mid); its reference price else.
 * @param opts.intervalMs the nominal time between steps, used for a symbol's first step.
 */
export function createSimulator(
  instruments: readonly SimulatedInstrument[],
  opts: { seed: string; startMids?: ReadonlyMap<string, string>; intervalMs: number },
): Simulator {
  const walks = instruments.map((instrument): Walk => {
    const scale = placesOf(instrument.tickSize);
    const tickUnits = toScaled(instrument.tickSize, scale);
    const inTicks = (price: string) => Number(toScaled(price, scale) / tickUnits);
    const random = seededRandom(`${opts.seed}/${instrument.symbol}`);
    return {
      instrument,
      next: random.next,
      scale,
      tickUnits,
      mid: inTicks(opts.startMids?.get(instrument.symbol) ?? instrument.referencePrice),
      reference: inTicks(instrument.referencePrice),
      spreadTicks: Math.max(0, Number(toScaled(instrument.spread, scale) / tickUnits)),
      volatility: Number(instrument.volatility),
      lastAt: null,
    };
  });

  return {
    step(at: number): Tick[] {
      const ticks: Tick[] = [];
      const date = new Date(at);
      for (const walk of walks) {
        if (!marketOpen(walk.instrument, date)) continue;
        const seconds = Math.min(60, Math.max(0.001, (at - (walk.lastAt ?? at - opts.intervalMs)) / 1000));
        walk.lastAt = at;
        // Box–Muller: one standard normal from two uniforms (1 − u keeps log away from 0).
        const z = Math.sqrt(-2 * Math.log(1 - walk.next())) * Math.cos(2 * Math.PI * walk.next());
        const sigma = walk.mid * walk.volatility * Math.sqrt(seconds);
        const pull = (walk.reference - walk.mid) * REVERSION_PER_SECOND * seconds;
        walk.mid = Math.max(walk.spreadTicks + 1, walk.mid + Math.round(sigma * z + pull));
        // The spread breathes a little (up to +50 %) like a real book's, never below the typical one.
        const spread = walk.spreadTicks + Math.floor(walk.next() * (walk.spreadTicks / 2 + 1));
        const bid = walk.mid - Math.floor(spread / 2);
        const price = (t: number) => fromScaled(BigInt(t) * walk.tickUnits, walk.scale);
        ticks.push({ symbol: walk.instrument.symbol, bid: price(bid), ask: price(bid + spread), at });
      }
      return ticks;
    },
  };
}
