/**
 * Two deployments sharing one Redis must not hear each other's bus nor share rate-limit counters: every
 * channel and key carries the deployment's prefix (REDIS_PREFIX, by default derived from the database's
 * identity, services/redis_prefix.ts), the same for every process of one deployment.
 */
import assert from "node:assert/strict";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { openSchemaDb } from "./helpers/db.ts";
import { connectRedisBus } from "../services/bus/mod.ts";
import type { Bus } from "../services/bus/mod.ts";
import { connectRedisRateLimiter } from "../services/rate_limit/mod.ts";
import { closeDeps, openDeps } from "../services/deps.ts";
import { ensureSecrets, loadConfig } from "../services/config.ts";
import { defaultRedisPrefix } from "../services/redis_prefix.ts";

const ignore = skipUnless(
  !!testEnv.redisUrl && !!testEnv.databaseUrl,
  "REDIS_URL or DATABASE_URL is not set: the Redis prefix tests are skipped",
);

/** Whether `listener` hears a message `sender` publishes on `channel` within a short wait. */
async function hears(sender: Bus, listener: Bus, channel: string): Promise<boolean> {
  const heard: unknown[] = [];
  const stop = await listener.subscribe(channel, (message) => void heard.push(message));
  try {
    await sender.publish(channel, { hello: channel });
    const deadline = Date.now() + 500;
    while (!heard.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return heard.length > 0;
  } finally {
    await stop();
  }
}

Deno.test(
  { name: "buses with different prefixes do not hear each other; the same prefix does", ignore },
  async () => {
    const url = testEnv.redisUrl!;
    const tag = crypto.randomUUID().slice(0, 8);
    const [a1, a2, b] = await Promise.all([
      connectRedisBus({ url, prefix: `pt-a-${tag}` }),
      connectRedisBus({ url, prefix: `pt-a-${tag}` }),
      connectRedisBus({ url, prefix: `pt-b-${tag}` }),
    ]);
    try {
      const channel = `account:${crypto.randomUUID()}`;
      assert.equal(await hears(a1, a2, channel), true, "same deployment");
      assert.equal(await hears(a1, b, channel), false, "another deployment heard it");
      assert.equal(await hears(b, a1, channel), false, "another deployment heard it");
      // publishAll (one script, several channels) is prefixed the same way.
      const heard: unknown[] = [];
      const stopA = await a2.subscribe(channel, (m) => void heard.push(["a", m]));
      const stopB = await b.subscribe(channel, (m) => void heard.push(["b", m]));
      await a1.publishAll([channel, `${channel}:other`], { n: 1 });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(heard, [["a", { n: 1 }]]);
      await stopA();
      await stopB();
    } finally {
      await Promise.all([a1.close(), a2.close(), b.close()]);
    }
  },
);

Deno.test({ name: "rate-limit counters are per prefix", ignore }, async () => {
  const url = testEnv.redisUrl!;
  const tag = crypto.randomUUID().slice(0, 8);
  const [a, b] = await Promise.all([
    connectRedisRateLimiter({ url, prefix: `pt-a-${tag}` }),
    connectRedisRateLimiter({ url, prefix: `pt-b-${tag}` }),
  ]);
  try {
    const rule = { limit: 1, windowSeconds: 60 };
    const key = `login:${crypto.randomUUID()}`;
    assert.equal((await a.consume(key, rule)).allowed, true);
    assert.equal((await a.consume(key, rule)).allowed, false);
    assert.equal((await b.consume(key, rule)).allowed, true, "another deployment's counter was used");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

Deno.test(
  { name: "the default prefix is the database's identity: one per database and schema", ignore },
  async () => {
    const [x, y] = [await openSchemaDb(testEnv.databaseUrl!), await openSchemaDb(testEnv.databaseUrl!)];
    try {
      const prefix = await defaultRedisPrefix(x.sql);
      assert.match(prefix, /^pt-[0-9a-f]{12}$/);
      assert.equal(await defaultRedisPrefix(x.sql), prefix, "every process of one deployment agrees");
      assert.notEqual(await defaultRedisPrefix(y.sql), prefix, "another database (here: schema) differs");
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  },
);

Deno.test(
  { name: "processes started on one database share a bus; REDIS_PREFIX sets them apart", ignore },
  async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "redis-prefix-" });
    const start = async (env: Record<string, string> = {}) =>
      await openDeps(
        await ensureSecrets(loadConfig({
          APP_ENV: "test",
          DATA_DIR: dataDir,
          DATABASE_URL: testEnv.databaseUrl,
          REDIS_URL: testEnv.redisUrl,
          ...env,
        })),
      );
    const [one, two, other] = [
      await start(),
      await start(),
      await start({ REDIS_PREFIX: "another-deployment" }),
    ];
    try {
      assert.equal(one.redisPrefix, two.redisPrefix);
      assert.match(one.redisPrefix, /^pt-[0-9a-f]{12}$/);
      assert.equal(other.redisPrefix, "another-deployment");
      const channel = `user:${crypto.randomUUID()}`;
      assert.equal(await hears(one.bus, two.bus, channel), true);
      assert.equal(await hears(one.bus, other.bus, channel), false);
    } finally {
      await Promise.all([closeDeps(one), closeDeps(two), closeDeps(other)]);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
