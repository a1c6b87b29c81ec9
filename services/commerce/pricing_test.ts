import assert from "node:assert/strict";
import { priceWith } from "./pricing.ts";

Deno.test("pricing: percent coupons are exact and round half away from zero to the cent", () => {
  const percent = (list: string, value: string) => priceWith(list, { kind: "percent", value });
  assert.deepEqual(percent("540.00", "15.00"), { listPrice: "540.00", discount: "81.00", amount: "459.00" });
  // 33.326667 → 33.33
  assert.deepEqual(percent("99.99", "33.33"), { listPrice: "99.99", discount: "33.33", amount: "66.66" });
  // 1.005 exactly: half away from zero gives 1.01, where a float (201 * 0.005 = 1.00499…) gives 1.00.
  assert.deepEqual(percent("201.00", "0.50"), { listPrice: "201.00", discount: "1.01", amount: "199.99" });
  // 2.525: banker's rounding would give 2.52.
  assert.equal(percent("101.00", "2.50").discount, "2.53");
  assert.deepEqual(percent("540.00", "100.00"), { listPrice: "540.00", discount: "540.00", amount: "0.00" });
});

Deno.test("pricing: amount coupons never take the price below zero; no coupon is the list price", () => {
  assert.deepEqual(priceWith("99.00", { kind: "amount", value: "25.50" }), {
    listPrice: "99.00",
    discount: "25.50",
    amount: "73.50",
  });
  assert.deepEqual(priceWith("99.00", { kind: "amount", value: "150.00" }), {
    listPrice: "99.00",
    discount: "99.00",
    amount: "0.00",
  });
  assert.deepEqual(priceWith("540", null), { listPrice: "540.00", discount: "0.00", amount: "540.00" });
});
