import assert from "node:assert/strict";
import { runSliced, runToEnd } from "./slices.ts";

function* busy(steps: number, stepMs: number): Generator<void, number> {
  for (let i = 0; i < steps; i++) {
    const end = performance.now() + stepMs;
    while (performance.now() < end) { /* work */ }
    yield;
  }
  return steps;
}

Deno.test("runToEnd returns the generator's result", () => {
  assert.equal(runToEnd(busy(3, 0)), 3);
});

Deno.test("runSliced lets a timer run while 200 ms of work is done in slices", async () => {
  let fired = 0;
  const timer = setInterval(() => fired++, 1);
  const result = await runSliced(busy(100, 2), 10);
  clearInterval(timer);
  assert.equal(result, 100);
  assert.ok(fired >= 5, `the timer fired ${fired} times during the work`);
});

Deno.test("runSliced gives the loop back at every pause point while yieldNow says so, else per slice", async () => {
  const turnsDuring = async (yieldNow?: () => boolean) => {
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    await runSliced(busy(20, 1), 1_000, { yieldNow });
    clearInterval(timer);
    return turns;
  };
  // One slice of 1 s holds the loop for the whole 20 ms of work ...
  assert.equal(await turnsDuring(), 0);
  assert.equal(await turnsDuring(() => false), 0);
  // ... unless someone waits: then each of the 20 pause points lets timers (and I/O) in.
  const turns = await turnsDuring(() => true);
  assert.ok(turns >= 5, `the timer fired ${turns} times during the work`);
});
