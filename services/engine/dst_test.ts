import assert from "node:assert/strict";
import { applyEvent } from "./evaluate.ts";
import { fromMinor } from "../money.ts";
import { close, ftmo100k, mark, open, run, tick, topstep50k } from "./testing.ts";

Deno.test("DST week Europe/Prague, March 2026: Sunday is 23 hours; the reset breach lands at 22:00 UTC", () => {
  const week = [
    open("sat", "2026-03-28T22:30:00Z"), // Sat 23:30 CET → Saturday
    close("sat", "4000.00", "2026-03-28T22:45:00Z"),
    open("sun", "2026-03-28T23:00:00Z"), // Sun 00:00 CET → Sunday
    close("sun", "2000.00", "2026-03-29T12:00:00Z"),
    open("late", "2026-03-29T21:59:00Z"), // Sun 23:59 CEST → still Sunday
    mark("100500.00", "106000.00", "2026-03-29T21:59:30Z"),
  ];
  const { state, rules } = run(ftmo100k(), "2026-03-23T07:00:00Z", week);
  assert.deepEqual(state.tradingDays, ["2026-03-28", "2026-03-29"]);
  assert.deepEqual([state.day.key, state.day.opensAt, state.day.closesAt].map(String), [
    "2026-03-29",
    String(Date.parse("2026-03-28T23:00:00Z")),
    String(Date.parse("2026-03-29T22:00:00Z")),
  ]);
  assert.equal(fromMinor(state.dailyFloor!), "99000.00"); // Sunday's anchor: 104,000 at Saturday's reset
  assert.equal(state.status, "active");
  // Monday 00:00 CEST is 22:00 UTC (not 23:00): the floor rises to 101,000 above the open loss right then.
  const sundayNight = applyEvent(state, tick("2026-03-29T21:59:59.999Z"), rules).state;
  assert.equal(sundayNight.status, "active");
  const monday = applyEvent(sundayNight, tick("2026-03-29T22:00:00Z"), rules).state;
  assert.deepEqual([monday.status, monday.breach?.at, monday.breach?.tradingDay, monday.breach?.floor], [
    "failed",
    "2026-03-29T22:00:00.000Z",
    "2026-03-30",
    "101000.00",
  ]);

  // Without the open loss, a trade at 22:00 UTC is Monday's.
  const flat = run(ftmo100k(), "2026-03-23T07:00:00Z", [
    ...week.slice(0, 4),
    open("mon", "2026-03-29T22:00:00Z"),
  ]);
  assert.deepEqual(flat.state.tradingDays, ["2026-03-28", "2026-03-29", "2026-03-30"]);
});

Deno.test("DST week Europe/Prague, October 2026: Sunday is 25 hours", () => {
  const { state, rules } = run(ftmo100k(), "2026-10-19T07:00:00Z", [
    open("a", "2026-10-24T22:00:00Z"), // Sun 00:00 CEST
    close("a", "1000.00", "2026-10-25T22:30:00Z"), // Sun 23:30 CET: still Sunday (a fixed +2 would say Monday)
  ]);
  assert.equal(state.day.key, "2026-10-25");
  assert.equal(state.day.closesAt - state.day.opensAt, 25 * 3_600_000);
  assert.deepEqual(state.dailyPnl, { "2026-10-25": 100_000n });
  const monday = applyEvent(state, tick("2026-10-25T23:00:00Z"), rules).state;
  assert.deepEqual([monday.day.key, fromMinor(monday.dailyFloor!)], ["2026-10-26", "96000.00"]);
});

Deno.test("DST weeks America/Chicago 17:00 (March and November 2026): sessions and EOD floors move on time", () => {
  const plan = topstep50k({ dailyLoss: null, profitTarget: { amount: "9000.00" } });
  const march = run(plan, "2026-03-02T15:00:00Z", [
    open("fri", "2026-03-06T22:30:00Z"), // Fri 16:30 CST → Friday's session
    open("fri-eve", "2026-03-06T23:00:00Z"), // Fri 17:00 CST → opens Saturday's label
    close("fri", "800.00", "2026-03-08T21:30:00Z"), // Sun 16:30 CDT → Sunday's session
    close("fri-eve", "0.00", "2026-03-08T21:31:00Z"),
    tick("2026-03-08T21:59:59Z"),
  ]);
  assert.deepEqual(march.state.tradingDays, ["2026-03-06", "2026-03-07"]);
  assert.equal(fromMinor(march.state.maxFloor!), "48000.00"); // Sunday's EOD not reached yet
  const sunday = applyEvent(march.state, tick("2026-03-08T22:00:00Z"), march.rules).state; // 17:00 CDT
  assert.deepEqual([sunday.day.key, fromMinor(sunday.maxFloor!)], ["2026-03-09", "48800.00"]);

  const november = run(plan, "2026-10-26T15:00:00Z", [
    open("a", "2026-10-30T22:00:00Z"), // Fri 17:00 CDT → Saturday's label
    close("a", "500.00", "2026-11-01T22:30:00Z"), // Sun 16:30 CST → still Sunday's session (25 h)
    tick("2026-11-01T22:59:59Z"),
  ]);
  assert.deepEqual([november.state.day.key, november.state.tradingDays], ["2026-11-01", ["2026-10-31"]]);
  assert.equal(fromMinor(november.state.maxFloor!), "48000.00");
  const after = applyEvent(november.state, tick("2026-11-01T23:00:00Z"), november.rules).state; // 17:00 CST
  assert.deepEqual([after.day.key, fromMinor(after.maxFloor!)], ["2026-11-02", "48500.00"]);
});
