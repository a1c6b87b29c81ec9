import assert from "node:assert/strict";
import { type Bus, type BusHandler, MemoryBus } from "../bus/mod.ts";
import { StreamHub, type StreamHubOptions } from "./stream_hub.ts";
import { encodeEvent, type Frame } from "./stream_frames.ts";
import { SseReader } from "./stream_testing.ts";
import { accountChannel } from "./change_log.ts";

const ACCOUNT = "00000000-0000-4000-8000-000000000001";
const change = (v: number) => ({ accountId: ACCOUNT, stateVersion: v });
const frame = (v: number): Frame => ({
  version: v,
  previous: v - 1,
  bytes: encodeEvent("change", v, JSON.stringify(change(v))),
});
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A memory bus that counts SUBSCRIBE/UNSUBSCRIBE per channel. */
class CountingBus extends MemoryBus {
  subscribes = 0;
  unsubscribes = 0;
  readonly #reconnected = new Set<() => void>();
  /** What the Redis bus does once its subscriber is back after an outage. */
  reconnect() {
    for (const listener of this.#reconnected) listener();
  }
  override onReconnect(listener: () => void) {
    this.#reconnected.add(listener);
    return () => void this.#reconnected.delete(listener);
  }
  override async subscribe(channel: string, handler: BusHandler) {
    this.subscribes++;
    const stop = await super.subscribe(channel, handler);
    return async () => {
      this.unsubscribes++;
      await stop();
    };
  }
}

/** The change log of one account, with reads that can be held open to let publishes race them. */
function fakeLog() {
  const versions: number[] = [];
  let gate: Promise<void> | null = null;
  const reads: number[] = [];
  return {
    versions,
    reads,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => release = resolve);
      return () => {
        gate = null;
        release();
      };
    },
    read: async (_id: string, after: number, limit: number) => {
      reads.push(after);
      const result = versions.filter((v) => v > after).slice(0, limit).map(frame);
      if (gate) await gate;
      return result;
    },
  };
}

function open() {
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
  return { out, reader: new SseReader(body) };
}

async function ids(reader: SseReader, count: number): Promise<number[]> {
  const seen: number[] = [];
  while (seen.length < count) seen.push(Number((await reader.nextEvent(2000)).id));
  return seen;
}

async function withHub(
  fn: (hub: StreamHub, bus: CountingBus, log: ReturnType<typeof fakeLog>) => Promise<void>,
  options: StreamHubOptions = {},
) {
  const bus = new CountingBus();
  const log = fakeLog();
  const hub = new StreamHub(bus as Bus, log.read, { log: () => {}, ...options });
  try {
    await fn(hub, bus, log);
  } finally {
    await bus.close();
  }
}

Deno.test("stream hub: one subscription per account, the same bytes fanned out, released by the last", () =>
  withHub(async (hub, bus) => {
    const [a, b] = [open(), open()];
    const subA = await hub.join(ACCOUNT, a.out);
    const subB = await hub.join(ACCOUNT, b.out);
    await hub.start(subA, 0, false);
    await hub.start(subB, 0, false);
    assert.equal(bus.subscribes, 1);
    assert.deepEqual(hub.stats, { streams: 2, channels: 1 });

    const chunks: Uint8Array[] = [];
    const enqueue = a.out.enqueue.bind(a.out);
    a.out.enqueue = (chunk) => (chunks.push(chunk!), enqueue(chunk));
    const enqueueB = b.out.enqueue.bind(b.out);
    b.out.enqueue = (chunk) => (chunks.push(chunk!), enqueueB(chunk));
    await bus.publish(accountChannel(ACCOUNT), change(1));
    assert.deepEqual(await ids(a.reader, 1), [1]);
    assert.deepEqual(await ids(b.reader, 1), [1]);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[0], chunks[1], "both streams got the very same encoded bytes");

    await hub.leave(subA);
    assert.equal(bus.unsubscribes, 0, "one stream is still there");
    await hub.leave(subB);
    await hub.leave(subB); // idempotent
    assert.equal(bus.unsubscribes, 1);
    assert.deepEqual(hub.stats, { streams: 0, channels: 0 });
  }));

Deno.test("stream hub: a change published while the replay read runs is sent once, in order", () =>
  withHub(async (hub, bus, log) => {
    log.versions.push(1, 2, 3);
    const { out, reader } = open();
    const sub = await hub.join(ACCOUNT, out);
    const release = log.hold();
    const started = hub.start(sub, 1, true); // the client has seen 1
    await tick();
    // 3 is in the log and also arrives live (a duplicate); 4 and 5 commit after the read's snapshot and
    // only 5 reaches the bus, so the held-back 5 must not be sent before 4 is re-read from the log.
    await bus.publish(accountChannel(ACCOUNT), change(3));
    await bus.publish(accountChannel(ACCOUNT), change(5));
    await tick();
    log.versions.push(4, 5);
    release();
    await started;
    await bus.publish(accountChannel(ACCOUNT), change(6));
    assert.deepEqual(await ids(reader, 5), [2, 3, 4, 5, 6]);
    assert.deepEqual(log.reads, [1, 3]);
    await hub.leave(sub);
  }));

Deno.test("stream hub: a version jump is filled from the log, with one read for all streams", () =>
  withHub(async (hub, bus, log) => {
    const streams = [open(), open(), open()];
    const subs = await Promise.all(streams.map((s) => hub.join(ACCOUNT, s.out)));
    for (const sub of subs) await hub.start(sub, 0, false);
    log.reads.length = 0;
    // 1 and 2 were lost on the bus; 3 (a batch moving the version by one) arrives.
    log.versions.push(1, 2, 3);
    await bus.publish(accountChannel(ACCOUNT), change(3));
    for (const s of streams) assert.deepEqual(await ids(s.reader, 3), [1, 2, 3]);
    assert.deepEqual(log.reads, [0], "the three streams shared one read");
    // Duplicates and stale frames are dropped; a batch jump with nothing missing is still sent once.
    log.versions.push(7);
    await bus.publish(accountChannel(ACCOUNT), change(2));
    await bus.publish(accountChannel(ACCOUNT), change(7));
    for (const s of streams) assert.deepEqual(await ids(s.reader, 1), [7]);
    for (const sub of subs) await hub.leave(sub);
  }));

Deno.test("stream hub: one heartbeat timer for every stream, stopped with the last one", () =>
  withHub(async (hub) => {
    const [a, b] = [open(), open()];
    const subs = [await hub.join(ACCOUNT, a.out), await hub.join(crypto.randomUUID(), b.out)];
    for (const sub of subs) await hub.start(sub, 0, false);
    for (const s of [a, b]) {
      const block = await s.reader.next(1000);
      assert.deepEqual(block.comments, ["hb"]);
    }
    for (const sub of subs) await hub.leave(sub);
    // The test's op sanitizer fails it if the interval were still running.
  }, { heartbeatMs: 20 }));

Deno.test("stream hub: a client that stops reading is dropped, not buffered without bound", () =>
  withHub(async (hub, bus) => {
    const { out, reader } = open();
    const sub = await hub.join(ACCOUNT, out);
    await hub.start(sub, 0, false);
    for (let v = 1; v <= 10; v++) await bus.publish(accountChannel(ACCOUNT), change(v));
    await tick(10);
    assert.deepEqual(hub.stats, { streams: 0, channels: 0 });
    await assert.rejects(() => ids(reader, 11), /reads too slowly/);
  }, { maxQueued: 4 }));

Deno.test("stream hub: a failing SUBSCRIBE rejects the join and is retried by the next one", async () => {
  const bus = new CountingBus();
  const hub = new StreamHub(bus, fakeLog().read, { log: () => {} });
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = () => Promise.reject(new Error("redis down"));
  await assert.rejects(() => hub.join(ACCOUNT, open().out), /redis down/);
  assert.deepEqual(hub.stats, { streams: 0, channels: 0 });
  bus.subscribe = subscribe;
  const sub = await hub.join(ACCOUNT, open().out);
  assert.deepEqual(hub.stats, { streams: 1, channels: 1 });
  await hub.leave(sub);
  await bus.close();
});

Deno.test("stream hub: a multi-event change that starts where the stream is goes out without a log read", () =>
  withHub(async (hub, bus, log) => {
    const { out, reader } = open();
    const sub = await hub.join(ACCOUNT, out);
    await hub.start(sub, 4, false);
    // A sync batch of 3 events moves 4 → 7, then a reset 7 → 8: both chain from what was sent.
    await bus.publish(accountChannel(ACCOUNT), { ...change(7), previousVersion: 4 });
    await bus.publish(accountChannel(ACCOUNT), { ...change(8), previousVersion: 7 });
    assert.deepEqual(await ids(reader, 2), [7, 8]);
    assert.deepEqual(log.reads, [], "no gap, so no read");
    // A change starting from 9 means 8 → 9 was lost: that one is a gap, filled from the log.
    log.versions.push(9, 12);
    await bus.publish(accountChannel(ACCOUNT), { ...change(12), previousVersion: 9 });
    assert.deepEqual(await ids(reader, 2), [9, 12]);
    assert.deepEqual(log.reads, [8]);
    await hub.leave(sub);
  }));

Deno.test("stream hub: after the bus reconnects, every stream gets what was published while it was away, once", () =>
  withHub(async (hub, bus, log) => {
    const [a, b] = [open(), open()];
    log.versions.push(1, 2);
    const subA = await hub.join(ACCOUNT, a.out);
    const subB = await hub.join(ACCOUNT, b.out);
    await hub.start(subA, 1, false);
    await hub.start(subB, 2, false);
    // Committed while the bus was away: logged, never delivered.
    log.versions.push(3, 4);
    bus.reconnect();
    assert.deepEqual(await ids(a.reader, 3), [2, 3, 4]);
    assert.deepEqual(await ids(b.reader, 2), [3, 4]);
    log.versions.push(5);
    await bus.publish(accountChannel(ACCOUNT), change(5));
    assert.deepEqual(await ids(a.reader, 1), [5], "live again, no duplicates");
    assert.deepEqual(await ids(b.reader, 1), [5]);
    await hub.leave(subA);
    await hub.leave(subB);
  }));

Deno.test("stream hub: a stream ends with its session, and an owner at the cap is refused", async () => {
  const ended = new Set<string>();
  await withHub(async (hub) => {
    const owner = (sessionId: string, userId = "u1", ip = "198.51.100.7") => ({
      sessionId,
      userId,
      role: "trader" as const,
      ip,
    });
    const [a, b] = [open(), open()];
    const subA = await hub.join(ACCOUNT, a.out, owner("s1"));
    await hub.start(subA, 0, false);
    await assert.rejects(() => hub.join(ACCOUNT, open().out, owner("s2")), { status: 429 });
    await assert.rejects(
      () => hub.join(ACCOUNT, open().out, owner("s3", "u2")),
      { status: 429 },
      "per address",
    );
    const subB = await hub.join(ACCOUNT, b.out, owner("s4", "u3", "203.0.113.9"));
    await hub.start(subB, 0, false);

    ended.add("s1");
    // Ended with the `ended` frame (the browser signs in again instead of reconnecting), then closed.
    assert.equal((await a.reader.next(1000)).event, "ended", "the check ends it");
    await assert.rejects(() => a.reader.next(1000), /the stream ended/, "the check closes it");
    assert.deepEqual(hub.stats, { streams: 1, channels: 1 });
    const again = await hub.join(ACCOUNT, open().out, owner("s5"));
    assert.ok(again, "the slot was freed");
    await hub.leave(again);
    hub.endSessions(["s4"]);
    assert.equal((await b.reader.next(1000)).event, "ended", "an announcement ends it at once");
    await assert.rejects(() => b.reader.next(1000), /the stream ended/, "and closes it");
    assert.deepEqual(hub.stats, { streams: 0, channels: 0 });
  }, {
    maxStreamsPerUser: 1,
    maxStreamsPerIp: 1,
    sessionCheckMs: 20,
    checkSessions: (sessions) => Promise.resolve(sessions.map((s) => s.id).filter((id) => ended.has(id))),
  });
});

Deno.test("stream hub: heartbeats go to idle streams only; a stream sent a frame skips the next tick", () =>
  withHub(async (hub, bus) => {
    const OTHER = "00000000-0000-4000-8000-000000000002";
    const [busy, idle] = [open(), open()];
    await hub.start(await hub.join(ACCOUNT, busy.out), 0, false);
    await hub.start(await hub.join(OTHER, idle.out), 0, false);
    await bus.publish(accountChannel(ACCOUNT), change(1));
    assert.deepEqual(await ids(busy.reader, 1), [1]);
    // Two ticks, seen on the idle stream: the busy one was sent a frame before the first, so only the second
    // (nothing sent since the first) heartbeats it.
    for (let i = 0; i < 2; i++) assert.deepEqual((await idle.reader.next(2000)).comments, ["hb"]);
    assert.deepEqual((await busy.reader.next(50)).comments, ["hb"]);
    await assert.rejects(() => busy.reader.next(20), /no SSE block/, "one heartbeat, not one per tick");
  }, { heartbeatMs: 200 }));
