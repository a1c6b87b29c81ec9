import assert from "node:assert/strict";
import {
  compactSize,
  fitsMoneyColumn,
  formatMoney,
  fromMinor,
  MONEY_MAX,
  moneySchema,
  percentOf,
  PRICE_MAX,
  toMinor,
} from "./money.ts";

Deno.test("money: decimal strings ↔ minor units, exactly", () => {
  assert.equal(toMinor("100000.00"), 10_000_000n);
  assert.equal(toMinor("0.1"), 10n);
  assert.equal(toMinor("-12.34"), -1234n);
  assert.equal(fromMinor(-1234n), "-12.34");
  assert.equal(fromMinor(5n), "0.05");
  for (const bad of ["1e3", "1.234", "", " 1", "NaN", "1,000"]) assert.throws(() => toMinor(bad), RangeError);
});

Deno.test("money: percentages round half away from zero to the cent", () => {
  assert.equal(percentOf("100000.00", "5"), "5000.00");
  assert.equal(percentOf("100000.00", "10"), "10000.00");
  assert.equal(percentOf("25000.00", "3"), "750.00");
  assert.equal(percentOf("0.10", "5"), "0.01"); // 0.005 → 0.01
  assert.equal(percentOf("-0.10", "5"), "-0.01");
  assert.equal(percentOf("333.33", "33.3333"), "111.11");
  // 0.1 + 0.2 style float drift cannot happen: 10 % of 0.30 is exactly 0.03.
  assert.equal(percentOf("0.30", "10"), "0.03");
});

Deno.test("money: formatting for people", () => {
  assert.equal(formatMoney("100000.00", "USD"), "$100,000");
  assert.equal(formatMoney("99.50", "USD"), "$99.50");
  assert.equal(formatMoney("540", "EUR", "de-DE"), "540\u00a0€");
  assert.equal(compactSize("100000.00"), "100K");
  assert.equal(compactSize("1500000.00"), "1.5M");
  assert.equal(compactSize("12500.00"), "12500");
});

Deno.test("money: the API's amounts fit their NUMERIC columns, with at most 2 decimals", () => {
  const amount = moneySchema();
  assert.equal(amount.parse(MONEY_MAX), "9999999999999.99");
  assert.equal(amount.parse("0"), "0");
  for (
    const bad of ["10000000000000.00", "99999999999999.99", "1.001", "-1", "-0", "NaN", "Infinity", "1e15"]
  ) {
    assert.equal(amount.safeParse(bad).success, false, bad);
  }
  assert.equal(amount.safeParse("9".repeat(5_000)).success, false);
  assert.equal(amount.safeParse(1e15).success, false);
  const price = moneySchema({ min: "0.01", max: PRICE_MAX });
  assert.equal(price.parse("9999999999.99"), "9999999999.99");
  assert.match(
    price.safeParse("10000000000").error!.issues[0].message,
    /greater than 0 and at most 9999999999.99/,
  );
  assert.equal(price.safeParse("0.00").success, false);
  const signed = moneySchema({ min: `-${MONEY_MAX}` });
  assert.equal(signed.parse("-9999999999999.99"), "-9999999999999.99");
  assert.equal(signed.parse("-0"), "-0");
  assert.equal(signed.safeParse("-10000000000000").success, false);
  assert.equal(fitsMoneyColumn(toMinor(MONEY_MAX)), true);
  assert.equal(fitsMoneyColumn(toMinor(MONEY_MAX) + 1n), false);
  assert.equal(fitsMoneyColumn(-toMinor(MONEY_MAX) - 1n), false);
});
