import assert from "node:assert/strict";
import { demoPlans } from "../demo/seed.ts";
import { canonicalJson } from "./canonical.ts";
import { objectives } from "./objectives.ts";
import { compileRules } from "./rules.ts";
import { simulate, simulateSliced, SIMULATION_LIMITS } from "./simulate.ts";
import { initialState } from "./state.ts";
import { close, ftmo100k, mark, open, t } from "./testing.ts";

Deno.test("simulate: a timeline point per event and per reset; `until` rolls resets with no events", () => {
  const sim = simulate(ftmo100k(), 0, t("2026-06-01T06:00:00Z"), [
    close("a", "4000.00", "2026-06-01T09:00:00Z"), // given out of order: sorted by `at`
    open("a", "2026-06-01T07:00:00Z"),
    open("b", "2026-06-01T10:00:00Z"),
    mark("98500.00", "104000.00", "2026-06-01T21:00:00Z"),
  ], t("2026-06-03T00:00:00Z"));
  assert.equal(sim.status, "failed"); // the open loss breaches at the Prague midnight reset
  assert.equal(sim.breach?.at, "2026-06-01T22:00:00.000Z");
  assert.deepEqual(sim.timeline.map((p) => [p.at, p.balance, p.dailyFloor, p.status]), [
    ["2026-06-01T06:00:00.000Z", "100000.00", "95000.00", "active"],
    ["2026-06-01T07:00:00.000Z", "100000.00", "95000.00", "active"],
    ["2026-06-01T09:00:00.000Z", "104000.00", "95000.00", "active"],
    ["2026-06-01T10:00:00.000Z", "104000.00", "95000.00", "active"],
    ["2026-06-01T21:00:00.000Z", "104000.00", "95000.00", "active"],
    ["2026-06-01T22:00:00.000Z", "104000.00", "99000.00", "failed"],
  ]);
  assert.deepEqual(sim.objectives.map((o) => [o.key, o.status]), [
    ["profit_target", "pending"],
    ["daily_loss", "failed"],
    ["max_loss", "ok"],
    ["min_trading_days", "pending"],
  ]);
});

Deno.test("simulate: events outside [startAt, until] are refused", () => {
  assert.throws(
    () => simulate(ftmo100k(), 0, t("2026-06-01T06:00:00Z"), [open("a", "2026-06-01T05:00:00Z")]),
    RangeError,
  );
  assert.throws(
    () => simulate(ftmo100k(), 0, 0, [open("a", "2026-06-02T05:00:00Z")], t("2026-06-02T00:00:00Z")),
    RangeError,
  );
});

Deno.test("simulate: more than 1,000 events or a horizon past 366 days is refused before any work", () => {
  const start = t("2026-06-01T06:00:00Z");
  const many = Array.from(
    { length: SIMULATION_LIMITS.events + 1 },
    (_, i) => open(`p${i}`, new Date(start + i).toISOString()),
  );
  assert.throws(() => simulate(ftmo100k(), 0, start, many), RangeError, "at most 1000 events");
  const year = 366 * 86_400_000;
  assert.throws(
    () => simulate(ftmo100k(), 0, start - year - 1, [open("a", "2026-06-01T07:00:00Z")]),
    RangeError,
  );
  assert.throws(() => simulate(ftmo100k(), 0, start, [], start + year + 1), /at most 366 days/);
  assert.equal(simulate(ftmo100k(), 0, start, [], start + year).status, "active");
});

Deno.test("simulateSliced: the most work one request may ask for never holds the event loop long", async () => {
  // 1,000 positions left open (each event copies every open position) and a year of resets.
  const start = t("2026-06-01T06:00:00Z");
  const events = Array.from(
    { length: SIMULATION_LIMITS.events },
    (_, i) => open(`p${i}`, new Date(start + 1_000 * (i + 1)).toISOString()),
  );
  const until = start + SIMULATION_LIMITS.horizonDays * 86_400_000;
  let last = performance.now();
  let worst = 0;
  const probe = setInterval(() => {
    worst = Math.max(worst, performance.now() - last);
    last = performance.now();
  }, 5);
  const began = performance.now();
  const sliced = await simulateSliced(ftmo100k(), 0, start, events, until);
  const took = performance.now() - began;
  clearInterval(probe);
  console.log(`simulateSliced: ${took.toFixed(0)} ms in all, worst loop gap ${worst.toFixed(1)} ms`);
  // Unsliced, the whole run is one gap; sliced, no gap comes near it (a fixed 150 ms flakes on a loaded box).
  assert.ok(
    worst < Math.max(150, took / 3),
    `event loop held for ${worst.toFixed(0)} ms of ${took.toFixed(0)}`,
  );
  const whole = simulate(ftmo100k(), 0, start, events, until);
  assert.deepEqual(sliced.timeline, whole.timeline, "slicing changes nothing but the timing");
  assert.equal(sliced.timeline.length, 1 + SIMULATION_LIMITS.events + 366);
});

Deno.test("objectives of a fresh seed plan account (Two-Step 100K): figures as decimal strings", () => {
  const plan = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
  const rules = compileRules(plan, 0, "plan-version-1");
  const state = initialState(rules, t("2026-06-01T06:00:00Z"));
  assert.deepEqual(objectives(state, rules, t("2026-06-01T06:00:00Z")), [
    {
      key: "profit_target",
      status: "pending",
      target: "10000.00",
      current: "0.00",
      targetBalance: "110000.00",
    },
    {
      key: "daily_loss",
      status: "ok",
      basis: "equity",
      floor: "95000.00",
      anchor: "100000.00",
      current: "100000.00",
      resetsAt: "2026-06-01T22:00:00.000Z",
      pausedUntil: null,
    },
    {
      key: "max_loss",
      status: "ok",
      mode: "static",
      floor: "90000.00",
      current: "100000.00",
      lockLevel: null,
    },
    { key: "min_trading_days", status: "pending", required: 4, current: 0 },
  ]);
  // The One-Step plan trails end-of-day and locks at B0; the funded stage never passes.
  const oneStep = demoPlans().find((p) => p.slug === "one-step-100k")!.body;
  const funded = compileRules(oneStep, "funded");
  assert.deepEqual([funded.profitTarget, funded.maxLoss?.lockLevel, funded.minTradingDays], [
    null,
    10_000_000n,
    0,
  ]);
});

Deno.test("canonicalJson: sorted keys, no whitespace, no ambiguous values", () => {
  assert.equal(
    canonicalJson({ b: [1, "x", null], a: { d: true, c: undefined } }),
    '{"a":{"d":true},"b":[1,"x",null]}',
  );
  assert.throws(() => canonicalJson({ a: 1n }), TypeError);
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson(new Date(0)), TypeError);
});
