import assert from "node:assert/strict";
import { MemoryBus } from "../bus/mod.ts";
import { userChannel } from "../bus/channels.ts";
import { SinkSet } from "../accounts/stream_sinks.ts";
import { SseReader } from "../accounts/stream_testing.ts";
import { NOTIFICATIONS, type UserFrame, type UserLog, UserStreamHub } from "./user_stream_hub.ts";

const USER = "00000000-0000-4000-8000-0000000000aa";
const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const encoder = new TextEncoder();

/** A bus whose reconnect can be triggered (what the Redis bus does after an outage). */
class ReconnectingBus extends MemoryBus {
  readonly #listeners = new Set<() => void>();
  reconnect() {
    for (const listener of this.#listeners) listener();
  }
  override onReconnect(listener: () => void) {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}

/** In-memory logs: each message is `{key, version}`; the logs hold every committed one. */
function fakeLog() {
  const logs = new Map<string, number[]>([[A, [0]], [B, [0]], [NOTIFICATIONS, []]]);
  const reads: string[] = [];
  const frame = (key: string, version: number): UserFrame => ({
    key,
    version,
    previous: key === NOTIFICATIONS ? version - 1 : version === 0 ? -1 : version - 1,
    bytes: encoder.encode(
      `event: ${key === NOTIFICATIONS ? "notification" : "change"}\ndata: "${key}@${version}"\n\n`,
    ),
  });
  const after = (key: string, v: number, limit: number) =>
    (logs.get(key) ?? []).filter((x) => x > v).slice(0, limit).map((x) => frame(key, x));
  const log: UserLog = {
    changes: (_u, id, v, limit) => (reads.push(`${id}@${v}`), Promise.resolve(after(id, v, limit))),
    notifications: (_u, v, limit) => (reads.push(`n@${v}`), Promise.resolve(after(NOTIFICATIONS, v, limit))),
    positions: () =>
      Promise.resolve({
        notifications: logs.get(NOTIFICATIONS)!.at(-1) ?? 0,
        accounts: new Map([A, B].map((id) => [id, logs.get(id)!.at(-1)!])),
      }),
    frameOf: (_u, m) => {
      const { key, version } = m as { key: string; version: number };
      return frame(key, version);
    },
  };
  /** Commits the next version of `key`; `publish` sends it on the bus too. */
  const commit = async (bus: MemoryBus, key: string, publish = true) => {
    const list = logs.get(key)!;
    const version = (list.at(-1) ?? 0) + 1;
    list.push(version);
    if (publish) await bus.publish(userChannel(USER), { key, version });
    return `${key || "n"}@${version}`;
  };
  return { log, reads, commit };
}

async function open(hub: UserStreamHub) {
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
  const sub = await hub.join(USER, out);
  await hub.start(sub, { notifications: 0, accounts: new Map([[A, 0], [B, 0]]) }, []);
  return { sub, sse: new SseReader(body) };
}

const seen = async (sse: SseReader, n: number) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(JSON.parse((await sse.nextEvent(2000)).data).replace(/^@/, "n@"));
  return out;
};

Deno.test("user hub: live frames of several logs, a gap filled from its log with one read", async () => {
  const bus = new ReconnectingBus();
  const { log, reads, commit } = fakeLog();
  const hub = new UserStreamHub(bus, log, new SinkSet({ log: () => {} }));
  const { sub, sse } = await open(hub);
  try {
    const sent = [await commit(bus, A), await commit(bus, NOTIFICATIONS), await commit(bus, B, false)];
    sent.push(await commit(bus, B)); // B@2 reveals that B@1 was lost
    sent.push(await commit(bus, A));
    const got = await seen(sse, 5);
    assert.deepEqual(got.toSorted(), sent.map((k) => k.replace(/^@/, "n@")).toSorted());
    assert.deepEqual(got.filter((k) => k.startsWith(B)), [`${B}@1`, `${B}@2`], "B in order");
    assert.deepEqual(reads, [`${B}@0`], "one read, for the gap only");
    assert.equal(hub.stats.streams, 1);
  } finally {
    await hub.leave(sub);
    await sse.cancel();
  }
  assert.deepEqual(hub.stats, { streams: 0, channels: 0 });
});

Deno.test("user hub: after a bus reconnect, what was published meanwhile arrives once", async () => {
  const bus = new ReconnectingBus();
  const { log, commit } = fakeLog();
  const hub = new UserStreamHub(bus, log, new SinkSet({ log: () => {} }));
  const { sub, sse } = await open(hub);
  try {
    // Lost while the broker was away: nothing follows them on the bus.
    const lost = [await commit(bus, A, false), await commit(bus, NOTIFICATIONS, false)];
    bus.reconnect();
    assert.deepEqual((await seen(sse, 2)).toSorted(), lost.map((k) => k.replace(/^@/, "n@")).toSorted());
    bus.reconnect(); // nothing new: nothing sent
    const next = await commit(bus, A);
    assert.deepEqual(await seen(sse, 1), [next]);
  } finally {
    await hub.leave(sub);
    await sse.cancel();
  }
});

Deno.test("user hub: streams at one position share one chunk (id and frame); others get their own id", async () => {
  const bus = new ReconnectingBus();
  const { log, commit } = fakeLog();
  const hub = new UserStreamHub(bus, log, new SinkSet({ log: () => {} }));
  const decoder = new TextDecoder();
  const raw = async (accounts: [string, number][]) => {
    let out!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
    const sub = await hub.join(USER, out);
    await hub.start(sub, { notifications: 0, accounts: new Map(accounts) }, []);
    return { sub, reader: body.getReader() };
  };
  const both: [string, number][] = [[A, 0], [B, 0]];
  const streams = [await raw(both), await raw(both), await raw([[A, 0]])];
  const next = async () => {
    const chunks = await Promise.all(streams.map(async (s) => (await s.reader.read()).value!));
    return { chunks, texts: chunks.map((c) => decoder.decode(c)) };
  };
  try {
    await commit(bus, A);
    let { chunks, texts } = await next();
    assert.equal(chunks[0], chunks[1], "one chunk for the two streams at one position");
    assert.equal(texts[0], `id: 0.aaaaaaaa-1.bbbbbbbb-0\nevent: change\ndata: "${A}@1"\n\n`);
    assert.equal(texts[2], `id: 0.aaaaaaaa-1\nevent: change\ndata: "${A}@1"\n\n`);
    // Each stream's position moved with the frame: the next ids follow from it.
    await commit(bus, NOTIFICATIONS);
    ({ chunks, texts } = await next());
    assert.equal(chunks[0], chunks[1]);
    assert.equal(texts[1], `id: 1.aaaaaaaa-1.bbbbbbbb-0\nevent: notification\ndata: "@1"\n\n`);
    assert.equal(texts[2], `id: 1.aaaaaaaa-1\nevent: notification\ndata: "@1"\n\n`);
    await commit(bus, A);
    ({ texts } = await next());
    assert.deepEqual(texts.map((t) => t.split("\n")[0]), [
      "id: 1.aaaaaaaa-2.bbbbbbbb-0",
      "id: 1.aaaaaaaa-2.bbbbbbbb-0",
      "id: 1.aaaaaaaa-2",
    ]);
  } finally {
    for (const s of streams) {
      await hub.leave(s.sub);
      await s.reader.cancel();
    }
  }
});
