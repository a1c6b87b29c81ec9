import assert from "node:assert/strict";
import { closeAt, lossToBreach } from "./what_if.ts";
import { ftmo100k, mark, open, run, t, topstep50k } from "../engine/testing.ts";

Deno.test("what-if: the loss that breaches now is one cent past the highest floor, confirmed by the engine", () => {
  const { rules, state } = run(ftmo100k(), "2026-06-01T08:00:00Z", [
    open("a", "2026-06-01T09:00:00Z"),
    mark("98000.00", "100000.00", "2026-06-01T10:00:00Z"),
  ]);
  const answer = lossToBreach(state, rules, t("2026-06-01T11:00:00Z"))!;
  assert.equal(answer.rule, "daily_loss");
  assert.equal(answer.floor, "95000.00");
  assert.equal(answer.breachingEquity, "94999.99");
  assert.equal(answer.loss, "3000.01");
  assert.equal(answer.evidence.observed, "94999.99");
});

Deno.test("what-if: after the reset the daily floor re-anchors before the question is answered", () => {
  const { rules, state } = run(ftmo100k(), "2026-06-01T08:00:00Z", [
    open("a", "2026-06-01T09:00:00Z"),
    mark("98000.00", "98000.00", "2026-06-01T10:00:00Z"),
  ]);
  // Next day (after Prague midnight = 22:00 UTC): anchor 98,000 → floor 93,000; the max floor 90,000 is lower.
  const answer = lossToBreach(state, rules, t("2026-06-02T08:00:00Z"))!;
  assert.equal(answer.floor, "93000.00");
  assert.equal(answer.loss, "5000.01");
});

Deno.test("what-if: closing at a loss moves the floors at the next reset; a big loss fails now", () => {
  const { rules, state } = run(topstep50k(), "2026-06-01T13:00:00Z", [
    open("a", "2026-06-01T14:00:00Z"),
    mark("50500.00", "50000.00", "2026-06-01T15:00:00Z"),
  ]);
  const win = closeAt(state, rules, t("2026-06-01T16:00:00Z"), "500.00");
  assert.equal(win.after.balance, "50500.00");
  assert.equal(win.after.status, "active");
  // Trailing end-of-day: the floor rises to 50,500 − 2,000 = 48,500 at the Chicago 17:00 reset.
  assert.equal(win.atNextReset!.maxFloor, "48500.00");
  assert.equal(win.atNextReset!.dailyFloor, "49500.00");
  assert.equal(win.atNextReset!.at, "2026-06-01T22:00:00.000Z");
  const loss = closeAt(state, rules, t("2026-06-01T16:00:00Z"), "-2500.00");
  assert.equal(loss.after.status, "failed");
  assert.ok(loss.verdicts.some((v) => v.type === "breach"));
  assert.equal(loss.atNextReset, null);
  // The state given is not modified.
  assert.equal(state.balance, 5_000_000n);
});
