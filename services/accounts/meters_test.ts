import assert from "node:assert/strict";
import { accountMeters, figures, levelOf } from "./meters.ts";
import { apex50k, close, ftmo100k, mark, open, run, topstep50k } from "../engine/testing.ts";
import { stageTerms } from "../plans/rule_terms.ts";
import type { PlanDefinition } from "../plans/definition.ts";

const words = (plan: PlanDefinition) => {
  const terms = stageTerms(plan, 0);
  return { dailyLoss: terms.dailyLoss?.short ?? null, maxLoss: terms.maxLoss?.short ?? null };
};

Deno.test("meters: FTMO daily floor — anchor, method, room in money and %, reset in the plan's zone", () => {
  const plan = ftmo100k({ bestDayMaxPercent: "50" });
  const { rules, state } = run(plan, "2026-06-01T08:00:00Z", [
    open("a", "2026-06-01T09:00:00Z"),
    mark("97000.00", "100000.00", "2026-06-01T10:00:00Z"),
  ]);
  const m = accountMeters(state, rules, words(plan));
  const d = m.dailyLoss!;
  assert.equal(d.floor, "95000.00");
  assert.equal(d.anchor.value, "100000.00");
  assert.equal(d.anchor.kind, "sod_balance");
  assert.equal(d.method, "$5,000 below the day's starting balance");
  assert.equal(d.limit, "5000.00");
  assert.equal(d.left, "2000.00");
  assert.equal(d.usedPercent, "60.00");
  assert.equal(d.leftPercent, "40.00");
  assert.equal(d.level, "caution");
  // Prague midnight in summer is 22:00 UTC the day before.
  assert.equal(d.resetsAt, "2026-06-01T22:00:00.000Z");
  assert.equal(d.resetZone, "Europe/Prague");
  const x = m.maxLoss!;
  assert.equal(x.mode, "static");
  assert.equal(x.floor, "90000.00");
  assert.equal(x.left, "7000.00");
  assert.equal(x.usedPercent, "30.00");
  assert.equal(x.level, "ok");
  assert.equal(m.nearest, "daily_loss");
  assert.equal(m.todayPnl, "-3000.00");
  assert.equal(m.tradingDays?.current, 1);
  assert.equal(m.tradingDays?.left, 3);
});

Deno.test("meters: the reset countdown target follows DST (Prague, last Sunday of March)", () => {
  const plan = ftmo100k();
  // Saturday 28 March 2026 in winter time: the next reset is Sunday 00:00 CET = 23:00 UTC.
  const before = run(plan, "2026-03-28T08:00:00Z", []);
  assert.equal(
    accountMeters(before.state, before.rules, words(plan)).dailyLoss!.resetsAt,
    "2026-03-28T23:00:00.000Z",
  );
  // Sunday 29 March after the change to CEST: the next reset is Monday 00:00 CEST = 22:00 UTC.
  const after = run(plan, "2026-03-29T08:00:00Z", []);
  assert.equal(
    accountMeters(after.state, after.rules, words(plan)).dailyLoss!.resetsAt,
    "2026-03-29T22:00:00.000Z",
  );
});

Deno.test("meters: a breach reads breached with no room left, and is the nearest limit", () => {
  const plan = ftmo100k();
  const { rules, state } = run(plan, "2026-06-01T08:00:00Z", [
    open("a", "2026-06-01T09:00:00Z"),
    mark("94999.99", "100000.00", "2026-06-01T10:00:00Z"),
  ]);
  assert.equal(state.status, "failed");
  const m = accountMeters(state, rules, words(plan));
  assert.equal(m.dailyLoss!.level, "breached");
  assert.equal(m.dailyLoss!.left, "0.00");
  assert.equal(m.dailyLoss!.usedPercent, "100.00");
  assert.equal(m.maxLoss!.level, "caution"); // 5,000.01 of 10,000 used: just past half
  assert.equal(m.nearest, "daily_loss");
});

Deno.test("meters: trailing intraday floor — high-water mark, lock reached", () => {
  const plan = apex50k();
  const { rules, state } = run(plan, "2026-06-01T13:00:00Z", [
    open("a", "2026-06-01T14:00:00Z"),
    mark("53000.00", "50000.00", "2026-06-01T15:00:00Z"),
    mark("52000.00", "50000.00", "2026-06-01T16:00:00Z"),
  ]);
  const x = accountMeters(state, rules, words(plan)).maxLoss!;
  assert.equal(x.mode, "trailing_intraday");
  assert.equal(x.highWater, "53000.00");
  // 53,000 − 2,500 = 50,500 is past the lock at 50,100: the floor stopped there.
  assert.equal(x.floor, "50100.00");
  assert.equal(x.lockLevel, "50100.00");
  assert.equal(x.locked, true);
  assert.equal(x.limit, "2900.00");
  assert.equal(x.left, "1900.00");
  assert.equal(
    x.method,
    "$2,500 below the highest equity reached, open profit included, stops rising at $50,100",
  );
});

Deno.test("meters: trailing end-of-day floor before any reset is not locked", () => {
  const plan = topstep50k();
  const { rules, state } = run(plan, "2026-06-01T13:00:00Z", []);
  const m = accountMeters(state, rules, words(plan));
  assert.equal(m.maxLoss!.highWater, "50000.00");
  assert.equal(m.maxLoss!.floor, "48000.00");
  assert.equal(m.maxLoss!.locked, false);
  assert.equal(m.dailyLoss!.action, "pause");
  assert.equal(m.dailyLoss!.resetZone, "America/Chicago");
});

Deno.test("meters: profit to target and best-day consistency with the profit still needed", () => {
  const plan = ftmo100k({ bestDayMaxPercent: "40" });
  const { rules, state } = run(plan, "2026-06-01T08:00:00Z", [
    open("a", "2026-06-01T09:00:00Z"),
    close("a", "3000.00", "2026-06-01T10:00:00Z"),
    open("b", "2026-06-02T09:00:00Z"),
    close("b", "1000.00", "2026-06-02T10:00:00Z"),
  ]);
  const m = accountMeters(state, rules, words(plan));
  const p = m.profitTarget!;
  assert.equal(p.profit, "4000.00");
  assert.equal(p.left, "6000.00");
  assert.equal(p.donePercent, "40.00");
  assert.equal(p.met, false);
  const c = m.consistency!;
  assert.equal(c.bestDay, "3000.00");
  assert.equal(c.bestDayKey, "2026-06-01");
  assert.equal(c.sharePercent, "75.00");
  // 3,000 ≤ 40 % × T needs T ≥ 7,500: 3,500 more.
  assert.equal(c.needed, "3500.00");
  assert.equal(c.holds, false);
  assert.equal(m.tradingDays!.current, 2);
});

Deno.test("meters: thresholds at 50 % and 80 % used, compared exactly", () => {
  assert.equal(levelOf(4_999n, 10_000n, false), "ok");
  assert.equal(levelOf(5_000n, 10_000n, false), "caution");
  assert.equal(levelOf(7_999n, 10_000n, false), "caution");
  assert.equal(levelOf(8_000n, 10_000n, false), "danger");
  assert.equal(levelOf(0n, 10_000n, true), "breached");
  // 1 cent of 3 cents used is 33.33 %; room past the limit is clamped to the limit.
  assert.deepEqual(figures(3n, 2n), {
    limit: "0.03",
    left: "0.02",
    usedPercent: "33.33",
    leftPercent: "66.67",
    level: "ok",
  });
  assert.equal(figures(100n, 150n).left, "1.00");
  assert.equal(figures(100n, -1n).level, "breached");
});

Deno.test("meters: consistency before any winning day needs nothing beyond a profit", () => {
  const plan = ftmo100k({ bestDayMaxPercent: "50" });
  const { rules, state } = run(plan, "2026-06-01T08:00:00Z", []);
  const c = accountMeters(state, rules, words(plan)).consistency!;
  assert.equal(c.sharePercent, null);
  assert.equal(c.needed, "0.00");
  assert.equal(c.holds, false);
});
