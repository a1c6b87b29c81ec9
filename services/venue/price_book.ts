/**
 * One process's view of the latest prices. The feed leader publishes tick batches on the bus and every process
 * (leader included) applies them to its own book (services/venue/feed_bus.ts); the venue's marking and the
 * price streams subscribe here. Tests drive prices with `deps.prices.apply([...])`. Islands import the `Tick` type only.
 */
import { reportTo } from "../log.ts";
import type { Tick } from "./tick.ts";
import { type Bar, type BarDelta, barOf, foldTick, minuteOf } from "./bars.ts";

export type { Tick };

export type TickListener = (ticks: readonly Tick[]) => void;

const logError = reportTo("prices");

export class PriceBook {
  #latest = new Map<string, Tick>();
  #listeners: TickListener[] = [];
  #bars = new Map<string, BarDelta>();

  /** The latest tick of `symbol`, or undefined before its first. */
  latest(symbol: string): Tick | undefined {
    return this.#latest.get(symbol);
  }

  /** The latest tick of every symbol seen, by symbol. */
  all(): Tick[] {
    return [...this.#latest.values()].sort((a, b) => a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
  }

  /**
   * The 1-minute bar (of the bid) of the minute of `symbol`'s latest tick, from the ticks this book applied —
   * what `GET /api/venue/bars` adds to the stored bars, which the feed writes about a second behind.
   */
  currentBar(symbol: string): Bar | undefined {
    const bar = this.#bars.get(symbol);
    return bar && { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close };
  }

  /** Calls `fn` with every batch applied from now on; returns the unsubscribe. */
  subscribe(fn: TickListener): () => void {
    this.#listeners.push(fn);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn);
    };
  }

  /**
   * Updates `latest` with the batch and then calls every subscriber in order with the ticks taken. A tick older
   * than the symbol's latest (a late bus message) is dropped, so prices never go back in time, and so is the
   * latest tick applied again (a repeated message, or the stored last quote re-applied after a bus reconnect):
   * the marker would evaluate it twice and the minute's bar fold it twice. Another price stamped in the same
   * millisecond is a new tick and is taken.
   * A subscriber that throws is logged; the others still run.
   */
  apply(ticks: readonly Tick[]): void {
    const taken: Tick[] = [];
    for (const tick of ticks) {
      const current = this.#latest.get(tick.symbol);
      if (current && (tick.at < current.at || sameTick(tick, current))) continue;
      const copy = { symbol: tick.symbol, bid: tick.bid, ask: tick.ask, at: tick.at };
      this.#latest.set(tick.symbol, copy);
      const bar = this.#bars.get(tick.symbol);
      if (bar && bar.time === minuteOf(tick.at)) foldTick(bar, copy);
      else this.#bars.set(tick.symbol, barOf(copy));
      taken.push(copy);
    }
    if (!taken.length) return;
    const frozen = Object.freeze(taken);
    for (const listener of [...this.#listeners]) {
      try {
        listener(frozen);
      } catch (error) {
        logError("price subscriber threw", error);
      }
    }
  }
}

function sameTick(a: Tick, b: Tick): boolean {
  return a.at === b.at && a.bid === b.bid && a.ask === b.ask;
}
