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

Deno.test("money: the float fast paths agree with bigint arithmetic, at and past 2^53 too", () => {
  // The definitions the fast paths must equal: digits and bigints only.
  const slowTo = (a: string) => {
    const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(a)!;
    const minor = BigInt(m[2]) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
    return m[1] ? -minor : minor;
  };
  const slowFrom = (minor: bigint) => {
    const abs = minor < 0n ? -minor : minor;
    return `${minor < 0n ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
  };
  const edges = [
    0n,
    1n,
    9n,
    10n,
    99n,
    100n,
    101n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    10n ** 15n - 1n,
    10n ** 15n,
    10n ** 17n + 7n,
    10n ** 30n + 5n,
  ];
  const values = [...edges, ...edges.map((v) => -v)];
  for (let i = 0; i < 5_000; i++) {
    const digits = 1 + Math.floor(Math.random() * 20);
    const v = BigInt(Array.from({ length: digits }, () => Math.floor(Math.random() * 10)).join(""));
    values.push(Math.random() < 0.5 ? -v : v);
  }
  for (const v of values) {
    assert.equal(fromMinor(v), slowFrom(v), `fromMinor(${v})`);
    const text = slowFrom(v);
    assert.equal(toMinor(text), v, `toMinor(${text})`);
    // One decimal, none, and leading zeros read as the same amount either way.
    for (const form of [text.replace(/0$/, ""), text.replace(/\.\d+$/, ""), text.replace(/^(-?)/, "$1000")]) {
      assert.equal(toMinor(form), slowTo(form), `toMinor(${form})`);
    }
  }
  assert.equal(toMinor("9999999999999.99"), 999_999_999_999_999n);
  assert.equal(toMinor("99999999999999.99"), 9_999_999_999_999_999n);
  assert.equal(toMinor("-0"), 0n);
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
