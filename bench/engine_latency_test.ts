import assert from "node:assert/strict";
import { matchProbes } from "./engine_latency.ts";

Deno.test("matchProbes: each probe meets the first arrival of its version on its own stream", () => {
  // [stream, version, time] triples, flattened as the load runner and the SSE worker produce them.
  const probes = [[0, 5, 100], [1, 5, 100], [0, 6, 200], [2, 9, 300]].flat();
  const arrivals = [
    [1, 5, 130],
    [0, 5, 110],
    [0, 5, 999], // a repeat of a frame already seen: the first arrival counts
    [0, 6, 205],
    [2, 8, 310], // stream 2 never gets version 9
  ].flat();
  const { latencies, missing } = matchProbes(probes, arrivals);
  assert.deepEqual(latencies, [5, 10, 30]);
  assert.equal(missing, 1);
});
