import assert from "node:assert/strict";
import { skipUnless, testEnv } from "../../tests/helpers/env.ts";
import type { RateLimiter } from "./limiter.ts";
import { MemoryRateLimiter } from "./memory.ts";
import { createRateLimiter } from "./mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same scenarios for every adapter: the app must not be able to tell them apart. */
function contract(name: "memory" | "redis", ignore: boolean, open: () => Promise<RateLimiter>) {
  Deno.test({ name: `${name} rate limiter`, ignore }, async (t) => {
    const limiter = await open();
    // Unique per run: the Redis is shared with other tests and other runs.
    const key = (label: string) => `test:${crypto.randomUUID()}:${label}`;
    try {
      await t.step("reports its kind", () => assert.equal(limiter.kind, name));

      await t.step("allows up to the limit, counting down, then refuses with the wait", async () => {
        const k = key("limit");
        const rule = { limit: 3, windowSeconds: 60 };
        const decisions = [];
        for (let i = 0; i < 4; i++) decisions.push(await limiter.consume(k, rule));
        assert.deepEqual(decisions.slice(0, 3), [
          { allowed: true, remaining: 2, retryAfterSeconds: 0 },
          { allowed: true, remaining: 1, retryAfterSeconds: 0 },
          { allowed: true, remaining: 0, retryAfterSeconds: 0 },
        ]);
        assert.equal(decisions[3].allowed, false);
        assert.equal(decisions[3].remaining, 0);
        // The first hit was a moment ago, so it leaves the window in just under 60 s: rounded up, 60.
        assert.ok(
          decisions[3].retryAfterSeconds >= 59 && decisions[3].retryAfterSeconds <= 60,
          `retryAfterSeconds = ${decisions[3].retryAfterSeconds}`,
        );
      });

      await t.step("refused hits are not counted, so hammering does not extend the wait", async () => {
        const k = key("hammer");
        const rule = { limit: 1, windowSeconds: 1 };
        assert.equal((await limiter.consume(k, rule)).allowed, true);
        for (let i = 0; i < 5; i++) assert.equal((await limiter.consume(k, rule)).allowed, false);
        await sleep(1100);
        assert.equal((await limiter.consume(k, rule)).allowed, true);
      });

      await t.step("keys are independent", async () => {
        const [a, b] = [key("a"), key("b")];
        const rule = { limit: 1, windowSeconds: 60 };
        assert.equal((await limiter.consume(a, rule)).allowed, true);
        assert.equal((await limiter.consume(a, rule)).allowed, false);
        assert.deepEqual(await limiter.consume(b, rule), {
          allowed: true,
          remaining: 0,
          retryAfterSeconds: 0,
        });
      });

      await t.step("the window slides: hits leave it one by one", async () => {
        const k = key("expiry");
        const rule = { limit: 2, windowSeconds: 1.5 };
        assert.equal((await limiter.consume(k, rule)).allowed, true);
        await sleep(700);
        assert.equal((await limiter.consume(k, rule)).allowed, true);
        const refused = await limiter.consume(k, rule);
        assert.equal(refused.allowed, false);
        assert.equal(refused.retryAfterSeconds, 1, "≈0.8 s until the first hit leaves, rounded up");
        await sleep(900); // the first hit has left, the second has not
        assert.deepEqual(await limiter.consume(k, rule), {
          allowed: true,
          remaining: 0,
          retryAfterSeconds: 0,
        });
        assert.equal((await limiter.consume(k, rule)).allowed, false);
      });

      await t.step("50 concurrent hits with a limit of 10: exactly 10 allowed", async () => {
        const k = key("concurrent");
        const rule = { limit: 10, windowSeconds: 60 };
        const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(k, rule)));
        assert.equal(decisions.filter((d) => d.allowed).length, 10);
        assert.deepEqual(
          decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((x, y) => x - y),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
      });

      await t.step("reset forgets a key's hits", async () => {
        const k = key("reset");
        const rule = { limit: 1, windowSeconds: 60 };
        await limiter.consume(k, rule);
        assert.equal((await limiter.consume(k, rule)).allowed, false);
        await limiter.reset(k);
        assert.equal((await limiter.consume(k, rule)).allowed, true);
        await limiter.reset(key("never-used")); // no error
      });

      await t.step("long keys (user input) are stored hashed but still counted", async () => {
        const k = key("x".repeat(10_000));
        const rule = { limit: 1, windowSeconds: 60 };
        assert.equal((await limiter.consume(k, rule)).allowed, true);
        assert.equal((await limiter.consume(k, rule)).allowed, false);
        assert.equal((await limiter.consume(`${k}y`, rule)).allowed, true);
      });

      await t.step("a nonsensical rule is a programming error", async () => {
        await assert.rejects(async () => await limiter.consume(key("bad"), { limit: 0, windowSeconds: 60 }), {
          name: "TypeError",
          message: /limit must be a positive integer, got 0/,
        });
        await assert.rejects(
          async () => await limiter.consume(key("bad"), { limit: 1, windowSeconds: NaN }),
          {
            name: "TypeError",
            message: /windowSeconds must be a positive number/,
          },
        );
      });
    } finally {
      await limiter.close();
      await limiter.close(); // idempotent
    }
  });
}

contract("memory", false, () => Promise.resolve(new MemoryRateLimiter()));
contract(
  "redis",
  skipUnless(!!testEnv.redisUrl, "REDIS_URL is not set: the Redis rate limiter contract is skipped"),
  () => createRateLimiter({ redisUrl: testEnv.redisUrl }),
);

Deno.test("createRateLimiter without a Redis URL is in memory", async () => {
  const limiter = await createRateLimiter();
  assert.equal(limiter.kind, "memory");
  await limiter.close();
});
