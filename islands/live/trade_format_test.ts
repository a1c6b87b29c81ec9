import assert from "node:assert/strict";
import { fixPrice, priceDigits } from "./trade_format.ts";

Deno.test("fixPrice: the grid's places, padded", () => {
  assert.equal(priceDigits("0.00001"), 5);
  assert.equal(fixPrice("1.0842", "0.00001"), "1.08420");
  assert.equal(fixPrice("1.08000000", "0.00001"), "1.08000");
  assert.equal(fixPrice("2350.5", "0.01"), "2350.50");
  assert.equal(fixPrice("5200", "1"), "5200");
  assert.equal(fixPrice("-0.5", "0.01"), "-0.50");
});

Deno.test("fixPrice: a digit finer than the grid is kept, never rounded away", () => {
  // A connector's fill off the venue's grid (US500 on 0.1) is what happened: shown as reported.
  assert.equal(fixPrice("5400.25", "0.1"), "5400.25");
  assert.equal(fixPrice("5400.25000000", "0.1"), "5400.25");
  assert.equal(fixPrice("1.084205", "0.00001"), "1.084205");
});
