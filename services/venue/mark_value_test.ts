import assert from "node:assert/strict";
import type { Instrument } from "./instruments.ts";
import { floatingOf, MarkPrices, preparePosition } from "./mark_value.ts";
import type { Tick } from "./price_book.ts";
import { valuate } from "./valuation.ts";
import type { VenuePosition } from "./book.ts";

const instrument = (symbol: string, o: Partial<Instrument>): Instrument => ({
  symbol,
  name: symbol,
  contractSize: "100000",
  tickSize: "0.00001",
  quoteCurrency: "USD",
  spread: "0.0001",
  commissionPerLot: "3.5",
  leverage: 100,
  volatility: "0.00004",
  hours: "24/7",
  active: true,
  ...o,
});

const instruments = new Map([
  ["EURUSD", instrument("EURUSD", {})],
  ["USDJPY", instrument("USDJPY", { quoteCurrency: "JPY", tickSize: "0.001" })],
  ["XAUUSD", instrument("XAUUSD", { contractSize: "100", tickSize: "0.01", commissionPerLot: "5" })],
  ["BTCUSD", instrument("BTCUSD", { contractSize: "1", tickSize: "0.5", commissionPerLot: "0" })],
  ["US500", instrument("US500", { contractSize: "1", tickSize: "0.25", commissionPerLot: "0.35" })],
]);

/** A seeded generator, so a failure repeats. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const fixed = (x: number, places: number) => x.toFixed(places);

Deno.test("mark values equal valuate's to the cent: every instrument, both sides, USD, JPY and EUR accounts", () => {
  const rnd = random(7);
  const base: Record<string, [number, number]> = {
    EURUSD: [1.085, 5],
    USDJPY: [150.1, 3],
    XAUUSD: [2350, 2],
    BTCUSD: [65000, 1],
    US500: [5200, 2],
  };
  for (let round = 0; round < 400; round++) {
    const book = new Map<string, Tick>();
    for (const [symbol, [mid, places]] of Object.entries(base)) {
      const m = mid * (1 + (rnd() - 0.5) * 0.02);
      const half = mid * 0.00003 * (1 + rnd());
      book.set(symbol, { symbol, bid: fixed(m - half, places), ask: fixed(m + half, places), at: round });
    }
    const quotes = { latest: (s: string) => book.get(s) };
    const positions: VenuePosition[] = [];
    const count = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < count; i++) {
      const symbol = Object.keys(base)[Math.floor(rnd() * 5)];
      const [mid, places] = base[symbol];
      positions.push({
        id: `${round}-${i}`,
        accountId: "a",
        tradeId: `t${i}`,
        symbol,
        direction: rnd() < 0.5 ? "buy" : "sell",
        volume: fixed(0.01 + rnd() * 20, 2),
        openPrice: fixed(mid * (1 + (rnd() - 0.5) * 0.02), places),
        openedAt: new Date(0),
        sl: null,
        tp: null,
      });
    }
    for (const currency of ["USD", "JPY", "EUR"]) {
      const expected = valuate(positions, instruments, quotes, currency);
      const prepared = positions.map((p) => preparePosition(p, instruments.get(p.symbol))!);
      const got = floatingOf(prepared, new MarkPrices(quotes), currency);
      assert.equal(got, expected?.floating ?? null, `round ${round} ${currency}`);
    }
  }
});

Deno.test("mark values: a missing quote or rate is null, as for valuate; reset forgets old quotes", () => {
  const book = new Map<string, Tick>([["EURUSD", { symbol: "EURUSD", bid: "1.1", ask: "1.1002", at: 1 }]]);
  const prices = new MarkPrices({ latest: (s) => book.get(s) });
  const eur = preparePosition({
    id: "p",
    symbol: "EURUSD",
    direction: "buy",
    volume: "1",
    openPrice: "1.0000",
  }, instruments.get("EURUSD"))!;
  const jpy = preparePosition(
    { id: "q", symbol: "USDJPY", direction: "sell", volume: "1", openPrice: "150" },
    instruments.get("USDJPY"),
  )!;
  assert.equal(floatingOf([eur], prices, "USD"), 10_000_00n - 3_50n);
  assert.equal(floatingOf([eur, jpy], prices, "USD"), null);
  assert.equal(floatingOf([eur], prices, "GBP"), null);
  book.set("EURUSD", { symbol: "EURUSD", bid: "1.2", ask: "1.2002", at: 2 });
  assert.equal(floatingOf([eur], prices, "USD"), 10_000_00n - 3_50n, "cached until reset");
  prices.reset("EURUSD");
  assert.equal(floatingOf([eur], prices, "USD"), 20_000_00n - 3_50n);
});
