/**
 * 1-minute bars of the bid folded from ticks: the same folding for the batches the feed stores and for the
 * current minute a process keeps in memory (PriceBook.currentBar). Pure.
 */
import { compareDecimal } from "./decimal.ts";
import type { Tick } from "./tick.ts";

export interface Bar {
  /** Epoch seconds of the minute's start. */
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

/** One minute of one symbol as folded from a batch of ticks. */
export interface BarDelta extends Bar {
  symbol: string;
  ticks: number;
  firstAt: number;
  lastAt: number;
}

/** The minute (epoch seconds) an epoch-ms instant falls in. */
export function minuteOf(at: number): number {
  return Math.floor(at / 60_000) * 60;
}

/** Folds ticks (any order) into per-symbol, per-minute bars of the bid. */
export function aggregateBars(ticks: readonly Tick[]): BarDelta[] {
  const bars = new Map<string, BarDelta>();
  for (const tick of ticks) {
    const key = `${tick.symbol}|${minuteOf(tick.at)}`;
    const bar = bars.get(key);
    if (bar) foldTick(bar, tick);
    else bars.set(key, barOf(tick));
  }
  return [...bars.values()];
}

/** `bar` with one more tick folded in (in place). */
export function foldTick(bar: BarDelta, tick: Tick): void {
  bar.ticks++;
  if (compareDecimal(tick.bid, bar.high) > 0) bar.high = tick.bid;
  if (compareDecimal(tick.bid, bar.low) < 0) bar.low = tick.bid;
  if (tick.at < bar.firstAt) [bar.firstAt, bar.open] = [tick.at, tick.bid];
  if (tick.at >= bar.lastAt) [bar.lastAt, bar.close] = [tick.at, tick.bid];
}

/** A one-tick bar of the tick's minute. */
export function barOf(tick: Tick): BarDelta {
  return {
    symbol: tick.symbol,
    time: minuteOf(tick.at),
    open: tick.bid,
    high: tick.bid,
    low: tick.bid,
    close: tick.bid,
    ticks: 1,
    firstAt: tick.at,
    lastAt: tick.at,
  };
}
