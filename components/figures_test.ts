import assert from "node:assert/strict";
import { ago, countdown, percent, signedMoney } from "./figures.ts";

Deno.test("figures: signed money, percent, countdown and freshness", () => {
  assert.equal(signedMoney("1240.50", "USD"), "+$1,240.50");
  assert.equal(signedMoney("-310.00", "USD"), "\u2212$310");
  assert.equal(signedMoney("0.00", "USD"), "$0");
  assert.equal(percent("37.50"), "37.5\u00a0%");
  assert.equal(percent("100.00"), "100\u00a0%");
  assert.equal(percent("0.00"), "0\u00a0%");
  assert.equal(percent("90"), "90\u00a0%");
  assert.equal(percent("0"), "0\u00a0%");
  assert.equal(countdown(3 * 3600_000 + 5 * 60_000 + 10_000), "3 h 05 min");
  assert.equal(countdown(12 * 60_000 + 40_000), "12 min 40 s");
  assert.equal(countdown(-5), "0 s");
  assert.equal(countdown(2 * 86_400_000 + 3 * 3600_000), "2 d 3 h");
  assert.equal(ago(400), "just now");
  assert.equal(ago(2_000), "2 s ago");
  assert.equal(ago(5 * 60_000), "5 min ago");
});
