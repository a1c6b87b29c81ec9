import assert from "node:assert/strict";
import type { AccountStatus } from "./state.ts";
import type { TimelinePoint } from "./simulate.ts";
import { downsampleTimeline } from "./timeline.ts";

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();

function points(n: number, shape: (i: number) => [number, AccountStatus]): TimelinePoint[] {
  return Array.from({ length: n }, (_, i) => {
    const [equity, status] = shape(i);
    return {
      at: at(i),
      equity: equity.toFixed(2),
      balance: "100000.00",
      dailyFloor: null,
      maxFloor: null,
      status,
    };
  });
}

Deno.test("a timeline that fits is returned whole and says so", () => {
  const whole = points(10, (i) => [100_000 + i, "active"]);
  assert.deepEqual(downsampleTimeline(whole, 10), { timeline: whole, downsampled: null });
});

Deno.test("a long timeline keeps its ends, every status change and its extremes, within the budget", () => {
  // A wave with one deep dip (a pause), a recovery (resumed), a spike, and the breach at the very end.
  const long = points(10_000, (i) => {
    const status: AccountStatus = i === 9_999 ? "failed" : i >= 3_000 && i < 3_100 ? "paused" : "active";
    const equity = i === 2_999 ? 90_000 : i === 7_777 ? 120_000 : 100_000 + 500 * Math.sin(i / 50);
    return [equity, status];
  });
  const { timeline, downsampled } = downsampleTimeline(long, 200);
  assert.ok(timeline.length <= 200, `${timeline.length} points`);
  assert.deepEqual(downsampled, { from: 10_000, to: timeline.length });
  const kept = new Set(timeline.map((p) => p.at));
  for (const i of [0, 2_999, 3_000, 3_100, 7_777, 9_999]) assert.ok(kept.has(at(i)), `point ${i} is kept`);
  assert.deepEqual(timeline, [...timeline].sort((a, b) => a.at.localeCompare(b.at)), "in time order");
  // The curve keeps its shape: the wave's highs and lows are still there.
  const equities = timeline.map((p) => Number(p.equity));
  assert.ok(equities.filter((e) => e > 100_490).length >= 10);
  assert.ok(equities.filter((e) => e < 99_510).length >= 10);
});

Deno.test("a status change every point cannot push the answer past its budget", () => {
  const flapping = points(5_000, (i) => [100_000, i === 4_999 ? "failed" : i % 2 ? "paused" : "active"]);
  const { timeline } = downsampleTimeline(flapping, 100);
  assert.ok(timeline.length <= 100, `${timeline.length} points`);
  assert.equal(timeline.at(-1)!.status, "failed", "the breach is kept");
});
