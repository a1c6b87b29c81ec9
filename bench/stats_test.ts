import assert from "node:assert/strict";
import { percentile } from "./stats.ts";

Deno.test("percentile: nearest rank, never past the last sample, NaN when empty", () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(sorted, 50), 6);
  assert.equal(percentile(sorted, 99), 10);
  assert.equal(percentile(sorted, 100), 10);
  assert.equal(percentile(sorted, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});
