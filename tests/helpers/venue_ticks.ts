/** EURUSD ticks on a fixed clock, for the marker's tests (tests/venue_marks_test.ts, venue_catchup_test.ts). */
import type { Tick } from "../../services/venue/price_book.ts";

/** A Monday morning: FX is open. Accounts open at START; ticks come a minute later. */
export const START = new Date("2026-03-02T08:00:00Z");

/** The instant `s` seconds after the first tick's minute. */
export const T = (s: number): number => +START + 60_000 + s * 1000;

/** A EURUSD tick at `bid` with a one-pip spread. */
export const tick = (bid: string, at: number): Tick => ({
  symbol: "EURUSD",
  bid,
  ask: (Number(bid) + 0.0001).toFixed(5),
  at,
});
