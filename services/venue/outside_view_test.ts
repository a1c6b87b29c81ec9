import assert from "node:assert/strict";
import { isVenueTradeId, valueOutside } from "./outside_view.ts";
import { newTradeId } from "./settle.ts";
import type { Instrument } from "./instruments.ts";

Deno.test("isVenueTradeId: the venue's own ids, not a connector's", () => {
  for (let i = 0; i < 20; i++) assert.ok(isVenueTradeId(newTradeId()));
  for (const id of ["MT5-881", "V-123", "v-0123456789abcdef", "V-0123456789abcdef0", "881"]) {
    assert.equal(isVenueTradeId(id), false, id);
  }
});

const eurusd = {
  symbol: "EURUSD",
  contractSize: "100000",
  quoteCurrency: "USD",
  commissionPerLot: "3.50",
  leverage: 100,
} as Instrument;
const quotes = {
  latest: (s: string) => (s === "EURUSD" ? { symbol: s, bid: "1.08410", ask: "1.08420", at: 0 } : undefined),
};
const row = (symbol: string, direction: "buy" | "sell") => ({
  tradeId: `T-${symbol}-${direction}`,
  symbol,
  direction,
  volume: "0.5",
  openPrice: "1.085",
  openedAt: new Date(0),
});

Deno.test("valueOutside: the venue's formula without its commission; unknown symbols leave the sum unknown", () => {
  const instruments = new Map([["EURUSD", eurusd]]);
  const known = valueOutside([row("EURUSD", "buy"), row("EURUSD", "sell")], instruments, quotes, "USD");
  // Buy marked at the bid, sell at the ask: (1.08410 − 1.085) and (1.085 − 1.08420) × 0.5 × 100,000.
  assert.deepEqual(known.positions.map((p) => p.pnl), ["-45.00", "40.00"]);
  assert.equal(known.floating, -500n);
  const unknown = valueOutside([row("EURUSD", "buy"), row("GER40", "buy")], instruments, quotes, "USD");
  assert.deepEqual(unknown.positions.map((p) => p.pnl), ["-45.00", null]);
  assert.equal(unknown.floating, null);
});
