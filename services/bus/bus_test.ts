import assert from "node:assert/strict";
import { hasBinary, skipUnless, testEnv } from "../../tests/helpers/env.ts";
import { REDIS_SERVER, startRedis, stopRedis } from "../../tests/helpers/redis_server.ts";
import type { Bus, BusLogger } from "./bus.ts";
import { createBus } from "./mod.ts";
import { connectRedisBus } from "./redis.ts";

/** Resolves with `promise`, or rejects after `ms`; the timer is always cleared (no leaked ops). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that records messages and lets a test await the n-th one. */
function recorder() {
  const messages: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    messages,
    handler: (message: unknown) => {
      messages.push(message);
      for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
    },
    received(count: number): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return within(5000, `${count} message(s)`, new Promise((resolve) => waiters.push({ count, resolve })));
    },
  };
}

const quiet = () => {
  const lines: string[] = [];
  const log: BusLogger = (message) => lines.push(message);
  return { lines, log };
};

/** The same scenarios for every adapter: the app must not be able to tell them apart. */
function contract(name: string, ignore: boolean, open: (log: BusLogger) => Promise<Bus>) {
  Deno.test({ name: `${name} bus`, ignore }, async (t) => {
    const logs = quiet();
    const bus = await open(logs.log);
    const channel = () => `test:${crypto.randomUUID()}`;
    try {
      await t.step("reports its kind and answers ping", async () => {
        assert.equal(bus.kind, name);
        await bus.ping();
      });

      await t.step("a published message reaches a subscriber as a JSON copy", async () => {
        const ch = channel();
        const r = recorder();
        const stop = await bus.subscribe(ch, r.handler);
        const sent = { type: "equity", equity: "10250.00", at: new Date(0) };
        await bus.publish(ch, sent);
        await r.received(1);
        assert.deepEqual(r.messages, [{
          type: "equity",
          equity: "10250.00",
          at: "1970-01-01T00:00:00.000Z",
        }]);
        await stop();
      });

      await t.step("two subscribers both receive, in publish order", async () => {
        const ch = channel();
        const [a, b] = [recorder(), recorder()];
        const stops = [await bus.subscribe(ch, a.handler), await bus.subscribe(ch, b.handler)];
        await bus.publish(ch, 1);
        await bus.publish(ch, 2);
        await Promise.all([a.received(2), b.received(2)]);
        assert.deepEqual(a.messages, [1, 2]);
        assert.deepEqual(b.messages, [1, 2]);
        for (const stop of stops) await stop();
      });

      await t.step(
        "publishAll delivers one message on each of its channels, in order with publishes",
        async () => {
          const [x, y, z] = [channel(), channel(), channel()];
          const [a, b] = [recorder(), recorder()];
          const both = recorder();
          const stops = [
            await bus.subscribe(x, a.handler),
            await bus.subscribe(y, b.handler),
            await bus.subscribe(x, both.handler),
            await bus.subscribe(y, both.handler),
          ];
          await bus.publishAll([x, y, z], { n: 1 });
          await bus.publish(x, { n: 2 });
          await bus.publishAll([y], { n: 3 });
          await bus.publishAll([], { n: 4 });
          await Promise.all([a.received(2), b.received(2), both.received(4)]);
          assert.deepEqual(a.messages, [{ n: 1 }, { n: 2 }]);
          assert.deepEqual(b.messages, [{ n: 1 }, { n: 3 }]);
          assert.deepEqual(both.messages, [{ n: 1 }, { n: 1 }, { n: 2 }, { n: 3 }]);
          await assert.rejects(() => bus.publishAll([x, ""], 1), TypeError);
          await assert.rejects(() => bus.publishAll([x, y], undefined), TypeError);
          for (const stop of stops) await stop();
        },
      );

      await t.step("unsubscribe stops delivery to that handler only", async () => {
        const ch = channel();
        const [gone, stays] = [recorder(), recorder()];
        const stopGone = await bus.subscribe(ch, gone.handler);
        const stopStays = await bus.subscribe(ch, stays.handler);
        await bus.publish(ch, "before");
        await Promise.all([gone.received(1), stays.received(1)]);
        await stopGone();
        await stopGone(); // idempotent
        await bus.publish(ch, "after");
        // Delivery is ordered per channel, so once `stays` has "after", `gone` would have had it too.
        await stays.received(2);
        assert.deepEqual(gone.messages, ["before"]);
        assert.deepEqual(stays.messages, ["before", "after"]);
        await stopStays();
      });

      await t.step("the last unsubscribe leaves the channel, and re-subscribing works", async () => {
        const ch = channel();
        const first = recorder();
        const stop = await bus.subscribe(ch, first.handler);
        await stop();
        const again = recorder();
        const stopAgain = await bus.subscribe(ch, again.handler);
        await bus.publish(ch, "x");
        await again.received(1);
        assert.deepEqual(first.messages, []);
        await stopAgain();
      });

      await t.step("a throwing or rejecting handler does not break the others", async () => {
        const ch = channel();
        const ok = recorder();
        const stops = [
          await bus.subscribe(ch, () => {
            throw new Error("boom");
          }),
          await bus.subscribe(ch, () => Promise.reject(new Error("async boom"))),
          await bus.subscribe(ch, ok.handler),
        ];
        await bus.publish(ch, { n: 1 });
        await bus.publish(ch, { n: 2 });
        await ok.received(2);
        await sleep(10); // let the rejection be logged
        assert.deepEqual(ok.messages, [{ n: 1 }, { n: 2 }]);
        assert.ok(logs.lines.some((l) => l.includes("threw")), logs.lines.join("\n"));
        assert.ok(logs.lines.some((l) => l.includes("rejected")), logs.lines.join("\n"));
        for (const stop of stops) await stop();
      });

      await t.step("messages JSON cannot carry are refused, not silently dropped", async () => {
        await assert.rejects(() => bus.publish(channel(), undefined), TypeError);
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await assert.rejects(() => bus.publish(channel(), cyclic), TypeError);
        await assert.rejects(() => bus.subscribe("", () => {}), TypeError);
      });
    } finally {
      await bus.close();
      await bus.close(); // idempotent
    }
    await assert.rejects(() => bus.publish("x", 1), /closed/);
  });
}

contract("memory", false, (log) => createBus({ log }));
contract(
  "redis",
  skipUnless(!!testEnv.redisUrl, "REDIS_URL is not set: the Redis bus tests are skipped"),
  (log) => createBus({ redisUrl: testEnv.redisUrl, log }),
);

// ---- Redis outages, against a redis-server of our own (the shared one must never be restarted) ----

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: "redis bus survives a Redis restart and keeps its subscriptions",
  ignore: skipUnless(hasBinary(REDIS_SERVER), `${REDIS_SERVER} is absent: the reconnect test is skipped`),
}, async () => {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "bus_redis_" });
  let server = await startRedis(port, dir);
  const logs = quiet();
  const bus = await connectRedisBus({ url: `redis://127.0.0.1:${port}`, log: logs.log });
  try {
    const r = recorder();
    let reconnects = 0;
    bus.onReconnect(() => reconnects++);
    await bus.subscribe("restart", r.handler);
    await bus.publish("restart", "before");
    await r.received(1);

    await stopRedis(server);
    await assert.rejects(() => bus.publish("restart", "during"), "publishing during an outage fails fast");
    server = await startRedis(port, dir);

    // The subscriber re-subscribes on its own schedule (backoff), so publish until one arrives; every
    // attempt is after the restart, which is what matters.
    const deadline = Date.now() + 15_000;
    while (r.messages.length < 2 && Date.now() < deadline) {
      await bus.publish("restart", "after").catch(() => {});
      await sleep(100);
    }
    assert.deepEqual(r.messages.slice(0, 2), ["before", "after"]);
    await bus.ping();
    assert.ok(logs.lines.some((l) => l.includes("reconnecting")), logs.lines.join("\n"));
    assert.ok(logs.lines.some((l) => l.includes("subscriber reconnected")), logs.lines.join("\n"));
    assert.equal(reconnects, 1, "reconnect listeners are told once the subscriber is back");
  } finally {
    await bus.close();
    await stopRedis(server);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "redis bus: a hung Redis (SIGSTOP) holds neither a publish nor a subscribe past the command timeout",
  ignore: skipUnless(hasBinary(REDIS_SERVER), `${REDIS_SERVER} is absent: the hung Redis test is skipped`),
}, async () => {
  const port = freePort();
  const server = await startRedis(port);
  const bus = await connectRedisBus({
    url: `redis://127.0.0.1:${port}`,
    log: quiet().log,
    commandTimeoutMs: 300,
  });
  try {
    server.kill("SIGSTOP");
    try {
      const started = Date.now();
      await assert.rejects(
        () => within(3000, "a publish", bus.publish("hung", 1)),
        /no reply from Redis within 300 ms/,
      );
      await assert.rejects(
        () => within(3000, "a subscribe", bus.subscribe("hung", () => {})),
        /no reply from Redis/,
      );
      await assert.rejects(() => within(3000, "a ping", bus.ping()), /no reply from Redis/);
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    } finally {
      server.kill("SIGCONT");
    }
  } finally {
    await bus.close();
    await stopRedis(server);
  }
});

Deno.test({
  name: "redis bus fails fast with a clear error when Redis is unreachable at start-up",
}, async () => {
  const port = freePort();
  const logs = quiet();
  const error = await connectRedisBus({
    url: `redis://:secret@127.0.0.1:${port}`,
    log: logs.log,
    initialConnectAttempts: 2,
  }).then(() => null, (e: Error) => e);
  assert.ok(error instanceof Error);
  assert.match(
    error.message,
    new RegExp(`Cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
  );
  assert.doesNotMatch(error.message, /secret/);
});
