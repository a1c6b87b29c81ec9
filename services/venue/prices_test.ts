import assert from "node:assert/strict";
import { createSimulator, type SimulatedInstrument } from "./simulator.ts";
import { type Instrument, marketOpen, nextOpen } from "./instruments.ts";
import { compareDecimal, onGrid } from "./decimal.ts";
import { convertToCents, midOf, rateToAccount } from "./conversion.ts";
import { PriceBook, type Tick } from "./price_book.ts";
import { aggregateBars } from "./bars.ts";

const FX_HOURS = { timeZone: "America/New_York", open: "17:05", close: "17:00", days: [7, 1, 2, 3, 4] };
const EURUSD: SimulatedInstrument = {
  symbol: "EURUSD",
  tickSize: "0.00001",
  spread: "0.00008",
  volatility: "0.00003",
  hours: FX_HOURS,
  active: true,
  referencePrice: "1.08500",
};
const USDJPY: SimulatedInstrument = {
  ...EURUSD,
  symbol: "USDJPY",
  tickSize: "0.001",
  spread: "0.012",
  referencePrice: "150.000",
};
const BTCUSD: SimulatedInstrument = {
  symbol: "BTCUSD",
  tickSize: "0.01",
  spread: "15.00",
  volatility: "0.00015",
  hours: "24/7",
  active: true,
  referencePrice: "65000.00",
};
const ALL = [EURUSD, USDJPY, BTCUSD];
// Wednesday 14 January 2026, 12:00 UTC: every market open.
const WEDNESDAY = Date.UTC(2026, 0, 14, 12);

function run(seed: string, start: number, steps: number, intervalMs = 250): Tick[] {
  const sim = createSimulator(ALL, { seed, intervalMs });
  const out: Tick[] = [];
  for (let k = 1; k <= steps; k++) out.push(...sim.step(start + k * intervalMs));
  return out;
}

Deno.test("simulator: the same seed and start give the same ticks; another seed does not", () => {
  const a = run("seed-1", WEDNESDAY, 400);
  const b = run("seed-1", WEDNESDAY, 400);
  assert.equal(a.length, 1200);
  assert.deepEqual(a, b);
  const c = run("seed-2", WEDNESDAY, 400);
  assert.notDeepEqual(a.map((t) => t.bid), c.map((t) => t.bid));
  // It moves: a walk that never left its start would pass the equality above too.
  assert.ok(new Set(a.filter((t) => t.symbol === "EURUSD").map((t) => t.bid)).size > 20);
});

Deno.test("simulator: every price is on its tick grid and the spread is never negative", () => {
  const sizes: Record<string, string> = { EURUSD: "0.00001", USDJPY: "0.001", BTCUSD: "0.01" };
  for (const t of run("grid", WEDNESDAY, 2000, 100)) {
    assert.ok(onGrid(t.bid, sizes[t.symbol]), `${t.symbol} bid ${t.bid} off grid`);
    assert.ok(onGrid(t.ask, sizes[t.symbol]), `${t.symbol} ask ${t.ask} off grid`);
    assert.ok(compareDecimal(t.ask, t.bid) >= 0, `${t.symbol} ask ${t.ask} < bid ${t.bid}`);
    assert.ok(compareDecimal(t.bid, "0") > 0);
  }
});

Deno.test("simulator: closed markets make no ticks (weekend), 24/7 ones do", () => {
  const saturday = Date.UTC(2026, 0, 17, 12);
  const ticks = run("weekend", saturday, 40);
  assert.deepEqual([...new Set(ticks.map((t) => t.symbol))], ["BTCUSD"]);
});

const at = (iso: string) => new Date(iso);
const fx: Pick<Instrument, "hours" | "active"> = { hours: FX_HOURS, active: true };

Deno.test("market hours: FX opens Sunday 17:05 New York, pauses 17:00–17:05 daily, closes Friday 17:00 — DST-aware", () => {
  // Winter (EST, UTC−5): Sunday 17:05 New York is 22:05 UTC.
  assert.equal(marketOpen(fx, at("2026-01-18T22:04:00Z")), false);
  assert.equal(marketOpen(fx, at("2026-01-18T22:05:00Z")), true);
  // Summer (EDT, UTC−4): the same local time is an hour earlier in UTC.
  assert.equal(marketOpen(fx, at("2026-07-19T21:04:00Z")), false);
  assert.equal(marketOpen(fx, at("2026-07-19T21:05:00Z")), true);
  assert.equal(marketOpen(fx, at("2026-07-19T22:05:00Z")), true);
  // The daily break, Wednesday 17:00–17:05 New York.
  assert.equal(marketOpen(fx, at("2026-01-14T21:59:00Z")), true);
  assert.equal(marketOpen(fx, at("2026-01-14T22:02:00Z")), false);
  assert.equal(marketOpen(fx, at("2026-01-14T22:05:00Z")), true);
  // Friday 17:00 New York ends the week; Saturday is closed all day.
  assert.equal(marketOpen(fx, at("2026-01-16T21:59:00Z")), true);
  assert.equal(marketOpen(fx, at("2026-01-16T22:00:00Z")), false);
  assert.equal(marketOpen(fx, at("2026-01-17T12:00:00Z")), false);
  // Across the March DST change (8 March 2026): Sunday 17:05 EDT is 21:05 UTC.
  assert.equal(marketOpen(fx, at("2026-03-08T21:05:00Z")), true);
  assert.equal(marketOpen(fx, at("2026-03-08T21:04:00Z")), false);
  // Inactive never opens; 24/7 always is.
  assert.equal(marketOpen({ ...fx, active: false }, at("2026-01-14T12:00:00Z")), false);
  assert.equal(marketOpen({ hours: "24/7", active: true }, at("2026-01-17T12:00:00Z")), true);
});

Deno.test("market hours: nextOpen is now when open, the next session's start when closed, null when never", () => {
  const open = at("2026-01-14T12:00:00Z");
  assert.equal(nextOpen(fx, open)?.toISOString(), open.toISOString());
  assert.equal(nextOpen(fx, at("2026-01-17T12:00:00Z"))?.toISOString(), "2026-01-18T22:05:00.000Z");
  assert.equal(nextOpen(fx, at("2026-07-18T12:00:00Z"))?.toISOString(), "2026-07-19T21:05:00.000Z");
  assert.equal(nextOpen(fx, at("2026-01-14T22:01:00Z"))?.toISOString(), "2026-01-14T22:05:00.000Z");
  assert.equal(nextOpen({ ...fx, active: false }, open), null);
  assert.equal(nextOpen({ hours: { ...FX_HOURS, days: [] }, active: true }, open), null);
});

function book(...ticks: Tick[]): PriceBook {
  const b = new PriceBook();
  b.apply(ticks);
  return b;
}

Deno.test("conversion: a JPY P&L in USD to the cent, via 1 / USDJPY mid; crosses through USD", () => {
  const b = book(
    { symbol: "USDJPY", bid: "150.245", ask: "150.255", at: 1 },
    { symbol: "EURUSD", bid: "1.10000", ask: "1.10020", at: 1 },
  );
  assert.equal(midOf(b, "USDJPY"), "150.2500");
  const rate = rateToAccount(b, "JPY", "USD");
  assert.equal(rate, "0.006655574043"); // 1 / 150.25
  // Bought 1 lot USDJPY at 150.000, closed at 150.250: 0.250 × 100,000 = 25,000 JPY = $166.39.
  assert.equal(convertToCents("25000.000", rate!), "166.39");
  assert.equal(convertToCents("-25000.000", rate!), "-166.39");
  assert.equal(rateToAccount(b, "USD", "USD"), "1");
  assert.equal(rateToAccount(b, "USD", "JPY"), "150.25");
  assert.equal(rateToAccount(b, "USD", "EUR"), "0.909008271975"); // 1 / 1.1001
  assert.equal(rateToAccount(b, "JPY", "EUR"), "0.00604997186"); // (1 / 150.25) × (1 / 1.1001)
  assert.equal(rateToAccount(b, "JPY", "GBP"), null);
});

Deno.test("price book: latest, all, subscribers in order, older ticks dropped, the current minute's bar", () => {
  const b = new PriceBook();
  const seen: string[] = [];
  const off = b.subscribe((ticks) => seen.push(`a:${ticks.map((t) => t.bid).join()}`));
  b.subscribe((ticks) => seen.push(`b:${ticks.length}`));
  b.apply([{ symbol: "EURUSD", bid: "1.08500", ask: "1.08508", at: 60_000 }]);
  b.apply([
    { symbol: "EURUSD", bid: "1.08400", ask: "1.08408", at: 59_000 }, // older: dropped
    { symbol: "EURUSD", bid: "1.08600", ask: "1.08608", at: 61_000 },
    { symbol: "USDJPY", bid: "150.000", ask: "150.012", at: 61_000 },
  ]);
  assert.deepEqual(seen, ["a:1.08500", "b:1", "a:1.08600,150.000", "b:2"]);
  assert.equal(b.latest("EURUSD")?.bid, "1.08600");
  assert.deepEqual(b.all().map((t) => t.symbol), ["EURUSD", "USDJPY"]);
  assert.deepEqual(b.currentBar("EURUSD"), {
    time: 60,
    open: "1.08500",
    high: "1.08600",
    low: "1.08500",
    close: "1.08600",
  });
  off();
  b.apply([{ symbol: "EURUSD", bid: "1.08700", ask: "1.08708", at: 120_000 }]);
  assert.deepEqual(seen.slice(4), ["b:1"]);
  assert.equal(b.currentBar("EURUSD")?.time, 120);
});

Deno.test("bars: ticks in any order fold into per-minute open/high/low/close of the bid", () => {
  const t = (bid: string, s: number): Tick => ({ symbol: "EURUSD", bid, ask: bid, at: s * 1000 });
  const bars = aggregateBars([t("1.2", 70), t("1.1", 61), t("1.5", 65), t("1.0", 119), t("2.0", 120)]);
  assert.deepEqual(
    bars.map(({ time, open, high, low, close, ticks }) => ({ time, open, high, low, close, ticks })),
    [
      { time: 60, open: "1.1", high: "1.5", low: "1.0", close: "1.0", ticks: 4 },
      { time: 120, open: "2.0", high: "2.0", low: "2.0", close: "2.0", ticks: 1 },
    ],
  );
});

Deno.test("price book: a tick applied again (a repeated bus message) is dropped; another price at the same instant is taken", () => {
  const b = new PriceBook();
  const seen: string[] = [];
  b.subscribe((ticks) => seen.push(ticks.map((t) => t.bid).join()));
  const tick = { symbol: "EURUSD", bid: "1.08500", ask: "1.08508", at: 60_000 };
  b.apply([tick]);
  b.apply([{ ...tick }]); // the same tick again, e.g. the stored last quote re-applied after a bus reconnect
  b.apply([{ ...tick, bid: "1.08400", ask: "1.08408" }]); // a new price stamped in the same millisecond
  assert.deepEqual(seen, ["1.08500", "1.08400"]);
  // The repeat is not folded into the minute's bar a second time (its close would not show it, its count would).
  assert.deepEqual(b.currentBar("EURUSD"), {
    time: 60,
    open: "1.08500",
    high: "1.08500",
    low: "1.08400",
    close: "1.08400",
  });
});
