import assert from "node:assert/strict";
import { MemoryRateLimiter } from "./memory.ts";

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

Deno.test("memory rate limiter: retryAfter is when the blocking hit leaves the window", async () => {
  const clock = manualClock();
  const limiter = new MemoryRateLimiter({ now: clock.now });
  const rule = { limit: 2, windowSeconds: 900 };
  await limiter.consume("k", rule);
  clock.advance(100_000);
  await limiter.consume("k", rule);
  clock.advance(200_500);
  // The first hit leaves at 900 s; 300.5 s have passed, so 599.5 s remain, rounded up.
  assert.deepEqual(await limiter.consume("k", rule), {
    allowed: false,
    remaining: 0,
    retryAfterSeconds: 600,
  });
  clock.advance(599_499);
  assert.equal((await limiter.consume("k", rule)).retryAfterSeconds, 1, "never 0 while refused");
  clock.advance(1);
  assert.deepEqual(await limiter.consume("k", rule), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
  // Now the second hit (at 100 s) blocks: it leaves at 1000 s, 100 s from now.
  assert.equal((await limiter.consume("k", rule)).retryAfterSeconds, 100);
});

Deno.test("memory rate limiter: expired keys are swept, and only allowed hits are stored", async () => {
  const clock = manualClock();
  const limiter = new MemoryRateLimiter({ now: clock.now });
  for (let i = 0; i < 100; i++) await limiter.consume(`short:${i}`, { limit: 3, windowSeconds: 1 });
  await limiter.consume("long", { limit: 3, windowSeconds: 3600 });
  assert.equal(limiter.size, 101);
  clock.advance(61_000); // past the sweep interval
  await limiter.consume("trigger", { limit: 1, windowSeconds: 1 });
  assert.equal(limiter.size, 2, "the 100 expired keys are gone; `long` and `trigger` stay");
  assert.equal((await limiter.consume("long", { limit: 3, windowSeconds: 3600 })).remaining, 1);
});

Deno.test("memory rate limiter: at most maxKeys keys, evicting the least recently used", async () => {
  const clock = manualClock();
  const limiter = new MemoryRateLimiter({ maxKeys: 3, now: clock.now });
  const rule = { limit: 1, windowSeconds: 3600 };
  for (const key of ["a", "b", "c"]) await limiter.consume(key, rule);
  await limiter.consume("a", rule); // refused, but touches `a`: `b` is now the least recently used
  await limiter.consume("d", rule);
  assert.equal(limiter.size, 3);
  assert.equal((await limiter.consume("a", rule)).allowed, false, "a is remembered");
  assert.equal((await limiter.consume("b", rule)).allowed, true, "b was evicted and starts afresh");
});

Deno.test("memory rate limiter: an expired key is preferred over a live one when full", async () => {
  const clock = manualClock();
  const limiter = new MemoryRateLimiter({ maxKeys: 2, now: clock.now });
  await limiter.consume("live", { limit: 1, windowSeconds: 3600 });
  await limiter.consume("brief", { limit: 1, windowSeconds: 1 });
  clock.advance(2000);
  await limiter.consume("new", { limit: 1, windowSeconds: 3600 });
  assert.equal((await limiter.consume("live", { limit: 1, windowSeconds: 3600 })).allowed, false);
});

Deno.test("memory rate limiter: a bad maxKeys is refused", () => {
  assert.throws(() => new MemoryRateLimiter({ maxKeys: 0 }), /maxKeys must be a positive integer, got 0/);
});
