import assert from "node:assert/strict";
import fc from "../../tests/deps/fast_check.ts";
import { addDays, nextResetAfter, resetAtOrBefore, tradingDay, tradingDayKey } from "./trading_day.ts";

const iso = (t: number) => new Date(t).toISOString();
const at = (s: string) => Date.parse(s);
const HOUR = 3_600_000;

const PRAGUE = { timeZone: "Europe/Prague", time: "00:00" };
const CHICAGO = { timeZone: "America/Chicago", time: "17:00" };
const NEW_YORK = { timeZone: "America/New_York", time: "17:00" };

Deno.test("trading day: Europe/Prague 00:00 across the March 2026 DST change is 23 hours long", () => {
  // CET (+1) until Sunday 29 March 01:00 UTC, CEST (+2) after.
  const sat = tradingDay(at("2026-03-28T12:00:00Z"), PRAGUE);
  assert.deepEqual([sat.key, iso(sat.opensAt), iso(sat.closesAt)], [
    "2026-03-28",
    "2026-03-27T23:00:00.000Z",
    "2026-03-28T23:00:00.000Z",
  ]);
  const sun = tradingDay(at("2026-03-29T12:00:00Z"), PRAGUE);
  assert.deepEqual([sun.key, iso(sun.opensAt), iso(sun.closesAt)], [
    "2026-03-29",
    "2026-03-28T23:00:00.000Z",
    "2026-03-29T22:00:00.000Z",
  ]);
  assert.equal(sun.closesAt - sun.opensAt, 23 * HOUR);
  assert.equal(tradingDayKey(at("2026-03-29T21:59:59.999Z"), PRAGUE), "2026-03-29");
  assert.equal(tradingDayKey(at("2026-03-29T22:00:00Z"), PRAGUE), "2026-03-30");
});

Deno.test("trading day: Europe/Prague 00:00 across the October 2026 DST change is 25 hours long", () => {
  const sun = tradingDay(at("2026-10-25T12:00:00Z"), PRAGUE);
  assert.deepEqual([sun.key, iso(sun.opensAt), iso(sun.closesAt)], [
    "2026-10-25",
    "2026-10-24T22:00:00.000Z",
    "2026-10-25T23:00:00.000Z",
  ]);
  assert.equal(sun.closesAt - sun.opensAt, 25 * HOUR);
});

Deno.test("trading day: a reset inside the DST gap happens at the end of the gap (Prague 02:30, 29 March)", () => {
  const reset = { timeZone: "Europe/Prague", time: "02:30" };
  // 02:00 CET jumps to 03:00 CEST at 01:00 UTC: 02:30 does not exist, the reset is at 03:00 CEST.
  assert.equal(iso(nextResetAfter(at("2026-03-29T00:00:00Z"), reset)), "2026-03-29T01:00:00.000Z");
  assert.equal(iso(resetAtOrBefore(at("2026-03-29T01:00:00Z"), reset)), "2026-03-29T01:00:00.000Z");
  assert.equal(iso(resetAtOrBefore(at("2026-03-29T00:59:59Z"), reset)), "2026-03-28T01:30:00.000Z");
  // The next day is back to 02:30 CEST.
  assert.equal(iso(nextResetAfter(at("2026-03-29T01:00:00Z"), reset)), "2026-03-30T00:30:00.000Z");
});

Deno.test("trading day: a reset inside the DST overlap happens at its first occurrence (Prague 02:30, 25 Oct)", () => {
  const reset = { timeZone: "Europe/Prague", time: "02:30" };
  // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET): the first counts, the second is mid-day.
  assert.equal(iso(nextResetAfter(at("2026-10-24T12:00:00Z"), reset)), "2026-10-25T00:30:00.000Z");
  assert.equal(iso(nextResetAfter(at("2026-10-25T00:30:00Z"), reset)), "2026-10-26T01:30:00.000Z");
  assert.equal(iso(resetAtOrBefore(at("2026-10-25T01:45:00Z"), reset)), "2026-10-25T00:30:00.000Z");
});

Deno.test("trading day: America/Chicago 17:00 across the March and November 2026 DST changes", () => {
  // CST (−6) until Sunday 8 March 08:00 UTC, CDT (−5) until Sunday 1 November 07:00 UTC.
  const march = tradingDay(at("2026-03-08T12:00:00Z"), CHICAGO); // Sunday morning: opened Saturday 17:00 CST
  assert.deepEqual([march.key, iso(march.opensAt), iso(march.closesAt)], [
    "2026-03-08",
    "2026-03-07T23:00:00.000Z",
    "2026-03-08T22:00:00.000Z",
  ]);
  assert.equal(march.closesAt - march.opensAt, 23 * HOUR);
  // Sunday 17:00 CDT opens Monday's session (futures convention).
  assert.equal(tradingDayKey(at("2026-03-08T22:00:00Z"), CHICAGO), "2026-03-09");

  const november = tradingDay(at("2026-11-01T12:00:00Z"), CHICAGO);
  assert.deepEqual([november.key, iso(november.opensAt), iso(november.closesAt)], [
    "2026-11-01",
    "2026-10-31T22:00:00.000Z",
    "2026-11-01T23:00:00.000Z",
  ]);
  assert.equal(november.closesAt - november.opensAt, 25 * HOUR);
});

Deno.test("trading day: America/Chicago gap and overlap at 02:30 and 01:30 local", () => {
  assert.equal(
    iso(nextResetAfter(at("2026-03-08T00:00:00Z"), { timeZone: "America/Chicago", time: "02:30" })),
    "2026-03-08T08:00:00.000Z", // 02:00 CST → 03:00 CDT
  );
  assert.equal(
    iso(nextResetAfter(at("2026-11-01T00:00:00Z"), { timeZone: "America/Chicago", time: "01:30" })),
    "2026-11-01T06:30:00.000Z", // 01:30 CDT, not 01:30 CST (07:30 UTC)
  );
});

Deno.test("trading day: labels — an evening reset opens the next day, a midnight reset the same day", () => {
  // Tuesday 10:00 New York belongs to the session opened Monday 17:00: labelled Tuesday.
  assert.equal(tradingDayKey(at("2026-06-02T14:00:00Z"), NEW_YORK), "2026-06-02");
  // Tuesday 17:00 New York opens Wednesday.
  assert.equal(tradingDayKey(at("2026-06-02T21:00:00Z"), NEW_YORK), "2026-06-03");
  assert.equal(tradingDayKey(at("2026-06-02T20:59:59.999Z"), NEW_YORK), "2026-06-02");
  // Prague midnight: 23:30 UTC on 1 June is already 2 June locally.
  assert.equal(tradingDayKey(at("2026-06-01T23:30:00Z"), PRAGUE), "2026-06-02");
  assert.equal(tradingDayKey(new Date("2026-06-01T21:59:00Z"), PRAGUE), "2026-06-01");
});

Deno.test("trading day (property): boundaries are consistent for any instant, zone and reset time", () => {
  const zones = [
    "Europe/Prague",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Asia/Tokyo",
    "UTC",
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: at("2025-01-01T00:00:00Z"), max: at("2028-01-01T00:00:00Z") }),
      fc.constantFrom(...zones),
      fc.integer({ min: 0, max: 23 }),
      fc.constantFrom(0, 30),
      (t, timeZone, h, m) => {
        const reset = { timeZone, time: `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` };
        const day = tradingDay(t, reset);
        assert.ok(day.opensAt <= t && t < day.closesAt);
        assert.equal(resetAtOrBefore(day.opensAt, reset), day.opensAt);
        assert.equal(nextResetAfter(day.opensAt, reset), day.closesAt);
        assert.ok(day.closesAt - day.opensAt >= 23 * HOUR && day.closesAt - day.opensAt <= 25 * HOUR);
        // The next day is labelled with the next calendar date.
        const next = tradingDay(day.closesAt, reset);
        const [y, mo, d] = day.key.split("-").map(Number);
        const following = addDays({ year: y, month: mo, day: d }, 1);
        assert.equal(
          next.key,
          `${following.year}-${String(following.month).padStart(2, "0")}-${
            String(following.day).padStart(2, "0")
          }`,
        );
      },
    ),
    { numRuns: 500 },
  );
});
