import assert from "node:assert/strict";
import { acrossPhases, stageTerms } from "./rule_terms.ts";
import { demoPlans } from "../demo/seed.ts";
import type { DailyLossRule, PlanDefinition } from "./definition.ts";

const base = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
const withDaily = (dailyLoss: DailyLossRule): PlanDefinition => ({
  ...base,
  phases: base.phases.map((p) => ({ ...p, dailyLoss })),
});

Deno.test("rule terms: each daily-loss basis reads and floors as the engine compiles it", () => {
  const ofB0 = stageTerms(base, 0).dailyLoss!;
  assert.equal(ofB0.short, "$5,000 below the day's starting balance");
  assert.equal(ofB0.floorFrom("102000.00"), "97000.00"); // a fixed $5,000, whatever the day's level

  const ofAnchor = stageTerms(
    withDaily({ percent: "5", of: "anchor", anchor: "sod_equity", on: "equity", action: "fail" }),
    0,
  ).dailyLoss!;
  assert.equal(ofAnchor.short, "5\u00a0% of the day's starting equity");
  assert.equal(ofAnchor.floorFrom("102000.00"), "96900.00"); // 5 % of that day's 102,000

  const fixed = stageTerms(
    withDaily({ amount: "2000.00", anchor: "initial", on: "balance", action: "pause" }),
    1,
  ).dailyLoss!;
  assert.equal(fixed.short, "$2,000 below the initial balance");
  assert.equal(fixed.floorFrom("102000.00"), "98000.00"); // anchored on B0, not on the day
});

Deno.test("acrossPhases says a shared value once and different values phase to phase", () => {
  assert.equal(acrossPhases(["4", "4"]), "4");
  assert.equal(acrossPhases(["4", "none"]), "4 → none");
});
