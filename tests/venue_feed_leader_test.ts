/**
 * One simulated feed per deployment over real PostgreSQL: two feeds (two pools, as two processes would have)
 * on one schema elect one leader by the advisory lock; only it publishes; the other takes over when the first
 * stops, and when the leader's database session dies. Both books follow the bus; the leader stores the ticks.
 */
import assert from "node:assert/strict";
import { type Db, openDb } from "../db/client.ts";
import { openSchemaDb } from "./helpers/db.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { createBus } from "../services/bus/mod.ts";
import type { Bus } from "../services/bus/bus.ts";
import { loadConfig } from "../services/config.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { type PriceFeed, startPriceFeed } from "../services/venue/feed.ts";
import { FEED_LOCK_CLASS } from "../services/venue/leader.ts";

/** The bus, counting what this "process" publishes. */
function countingBus(bus: Bus, counter: { n: number }): Bus {
  return {
    kind: bus.kind,
    publish: (channel, message) => {
      counter.n++;
      return bus.publish(channel, message);
    },
    publishAll: (channels, message) => {
      counter.n++;
      return bus.publishAll(channels, message);
    },
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    onReconnect: (listener) => bus.onReconnect(listener),
    ping: () => bus.ping(),
    close: () => Promise.resolve(),
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test({
  name: "feed leader: one of two feeds publishes; the other takes over when it stops or its session dies",
  ignore: skipUnless(
    !!testEnv.databaseUrl,
    "DATABASE_URL is not set (leader election needs real PostgreSQL)",
  ),
  async fn() {
    const dbA = await openSchemaDb(testEnv.databaseUrl!);
    const [{ schema }] = await dbA.sql<{ schema: string }[]>`select current_schema() as schema`;
    const dbB: Db = await openDb({ url: testEnv.databaseUrl!, schema, poolMax: 4 });
    const bus = await createBus({ redisUrl: testEnv.redisUrl });
    const channel = `venue:ticks:test:${crypto.randomUUID()}`;
    const config = {
      ...loadConfig({ APP_ENV: "test", PRICE_FEED_INTERVAL_MS: "100", PRICE_FEED_SEED: "leader-test" }),
      jwtSecret: "j".repeat(32),
      syncSecret: "s".repeat(32),
    };
    const counts = { a: { n: 0 }, b: { n: 0 } };
    const deps = {
      a: { db: dbA, bus: countingBus(bus, counts.a), prices: new PriceBook(), config },
      b: { db: dbB, bus: countingBus(bus, counts.b), prices: new PriceBook(), config },
    };
    const opts = { channel, retryMs: 100, flushMs: 200, retention: false, log: () => {} };
    let a: PriceFeed | null = null;
    let b: PriceFeed | null = null;
    try {
      a = await startPriceFeed(deps.a, opts);
      await until("A leads", () => a!.leading);
      b = await startPriceFeed(deps.b, opts);
      // BTCUSD trades 24/7, so the leader publishes whatever the day.
      await until(
        "both books follow the leader",
        () => !!deps.a.prices.latest("BTCUSD") && !!deps.b.prices.latest("BTCUSD"),
      );
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(b.leading, false);
      assert.equal(counts.b.n, 0, "the follower published");
      assert.ok(counts.a.n >= 5, `the leader published ${counts.a.n} batches`);
      assert.deepEqual(deps.b.prices.latest("BTCUSD")?.at, deps.a.prices.latest("BTCUSD")?.at);

      // The leader stops: the follower takes over and the walk goes on from the prices it followed.
      const before = counts.a.n;
      await a.stop();
      a = null;
      const lastAt = deps.b.prices.latest("BTCUSD")!.at;
      await until("B takes over", () => b!.leading);
      await until("B publishes", () => counts.b.n >= 3);
      assert.equal(counts.a.n, before, "the stopped feed published");
      assert.ok(deps.b.prices.latest("BTCUSD")!.at > lastAt);
      // The stopped leader flushed what it made: ticks are stored.
      const [{ n }] = await dbB.sql`select count(*)::int as n from venue_ticks where symbol = 'BTCUSD'`;
      assert.ok(n >= 5, `${n} ticks stored`);

      // A process starts again (follower), then the leader's session dies (crash, network): A takes over.
      a = await startPriceFeed(deps.a, opts);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(a.leading, false);
      const killed = await dbA.sql`
        select pg_terminate_backend(pid) as done from pg_locks
        where locktype = 'advisory' and classid = ${FEED_LOCK_CLASS} and granted`;
      assert.equal(killed.length, 1);
      await until("A takes over after B's session died", () => a!.leading);
      await until("B notices and steps down", () => !b!.leading);
      const fromA = counts.a.n;
      await until("A publishes", () => counts.a.n >= fromA + 3);
    } finally {
      await a?.stop();
      await b?.stop();
      await bus.close();
      await dbB.close();
      await dbA.close();
    }
  },
});
