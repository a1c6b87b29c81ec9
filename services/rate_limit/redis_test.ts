import assert from "node:assert/strict";
import { createClient } from "redis";
import { hasBinary, skipUnless, testEnv } from "../../tests/helpers/env.ts";
import { REDIS_SERVER, startRedis, stopRedis } from "../../tests/helpers/redis_server.ts";
import { freePort } from "../../tests/helpers/net.ts";
import { ServiceUnavailable } from "../../lib/errors.ts";
import { connectRedisRateLimiter, KEY_PREFIX } from "./redis.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quiet() {
  const lines: string[] = [];
  return { lines, log: (message: string) => void lines.push(message) };
}

Deno.test({
  name: "redis rate limiter: shared across connections, stored under rl: with the window as TTL",
  ignore: skipUnless(!!testEnv.redisUrl, "REDIS_URL is not set: the Redis rate limiter tests are skipped"),
}, async (t) => {
  const url = testEnv.redisUrl!;
  // Two limiters = two connections, as two app instances would have.
  const [a, b] = await Promise.all([connectRedisRateLimiter({ url }), connectRedisRateLimiter({ url })]);
  const raw = createClient({ url });
  await raw.connect();
  try {
    await t.step("50 concurrent hits split over two connections: exactly 10 allowed", async () => {
      const key = `test:${crypto.randomUUID()}`;
      const rule = { limit: 10, windowSeconds: 60 };
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).consume(key, rule)),
      );
      assert.equal(decisions.filter((d) => d.allowed).length, 10);
      assert.equal(await raw.zCard(KEY_PREFIX + key), 10);
      await a.reset(key);
      assert.equal(await raw.exists(KEY_PREFIX + key), 0);
    });

    await t.step("the key expires with its window, so idle keys cost nothing", async () => {
      const key = `test:${crypto.randomUUID()}`;
      await a.consume(key, { limit: 5, windowSeconds: 30 });
      const ttl = await raw.pTTL(KEY_PREFIX + key);
      assert.ok(ttl > 29_000 && ttl <= 30_000, `pTTL = ${ttl}`);
    });
  } finally {
    await raw.close();
    await Promise.all([a.close(), b.close()]);
  }
});

// ---- Outages, against a redis-server of our own (the shared one must never be stopped) ----

Deno.test({
  name: "redis rate limiter fails open during an outage (logged once), closed for failClosed rules",
  ignore: skipUnless(
    hasBinary(REDIS_SERVER),
    `${REDIS_SERVER} is absent: the rate limiter outage test is skipped`,
  ),
}, async (t) => {
  const port = freePort();
  let server = await startRedis(port);
  const logs = quiet();
  const limiter = await connectRedisRateLimiter({
    url: `redis://127.0.0.1:${port}`,
    log: logs.log,
    commandTimeoutMs: 300,
  });
  const rule = { limit: 1, windowSeconds: 60 };
  const strict = { ...rule, failClosed: true };
  try {
    await t.step("a hung Redis (SIGSTOP) times out and fails open", async () => {
      assert.equal((await limiter.consume("hung", rule)).allowed, true);
      assert.equal((await limiter.consume("hung", rule)).allowed, false);
      server.kill("SIGSTOP");
      try {
        const started = Date.now();
        assert.deepEqual(await limiter.consume("hung", rule), {
          allowed: true,
          remaining: 0,
          retryAfterSeconds: 0,
        });
        assert.ok(Date.now() - started < 2000, "answered within about the command timeout");
        await assert.rejects(() => limiter.consume("hung", strict), ServiceUnavailable);
      } finally {
        server.kill("SIGCONT");
      }
    });

    await t.step("a stopped Redis fails open at once; reset does not throw", async () => {
      await stopRedis(server);
      const started = Date.now();
      for (let i = 0; i < 5; i++) assert.equal((await limiter.consume("down", rule)).allowed, true);
      assert.ok(Date.now() - started < 1000, "no waiting on an offline queue");
      await assert.rejects(() => limiter.consume("down", strict), {
        name: "ServiceUnavailable",
        status: 503,
        message: "Rate limiting is unavailable; try again shortly.",
      });
      await limiter.reset("down");
      const warnings = logs.lines.filter((l) => l.includes("unreachable"));
      assert.equal(warnings.length, 1, `one warning per outage, got:\n${logs.lines.join("\n")}`);
    });

    await t.step(
      "after a restart (script cache empty) limits apply again and recovery is logged",
      async () => {
        server = await startRedis(port);
        const deadline = Date.now() + 15_000;
        // node-redis reconnects on its own backoff: retry until a hit is counted again.
        while (!logs.lines.some((l) => l.includes("answers again")) && Date.now() < deadline) {
          await limiter.consume("up", rule);
          await sleep(100);
        }
        assert.ok(logs.lines.some((l) => l.includes("answers again")), logs.lines.join("\n"));
        await limiter.reset("up");
        assert.equal((await limiter.consume("up", rule)).allowed, true);
        assert.equal((await limiter.consume("up", rule)).allowed, false);
      },
    );
  } finally {
    await limiter.close();
    await stopRedis(server);
  }
});

Deno.test("redis rate limiter fails fast at start-up when Redis is unreachable, without leaking the password", async () => {
  const port = freePort();
  const error = await connectRedisRateLimiter({
    url: `redis://:secret@127.0.0.1:${port}`,
    initialConnectAttempts: 2,
  }).then(() => null, (e: Error) => e);
  assert.ok(error instanceof Error);
  assert.match(
    error.message,
    new RegExp(`Cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
  );
  assert.doesNotMatch(error.message, /secret/);
});
