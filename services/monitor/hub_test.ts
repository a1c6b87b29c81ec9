/**
 * The monitor hub over an in-process bus and a source in memory: the first event, coalescing of bursts into
 * one compact event, order (older versions ignored, breaches in order), staff actions with who took them,
 * accounts that appear, resume ids,
 * caps and the end of a stream with its session.
 */
import assert from "node:assert/strict";
import { MemoryBus } from "../bus/mod.ts";
import { ACCOUNT_CHANGES_CHANNEL } from "../bus/channels.ts";
import { SinkSet } from "../accounts/stream_sinks.ts";
import { SseReader } from "../accounts/stream_testing.ts";
import { MonitorHub, type MonitorSource } from "./hub.ts";
import type { MonitorEntry } from "./queries.ts";
import {
  type FeedItem,
  type MonitorRow,
  type MonitorSnapshot,
  type MonitorUpdate,
  type StaffActionItem,
  unpackRow,
} from "./row.ts";

const RESET = "2030-01-02T00:00:00.000Z";

function entry(
  id: string,
  equity: string,
  version = 1,
  status: MonitorRow["status"] = "active",
): MonitorEntry {
  return {
    nextResetAt: RESET,
    row: {
      id,
      userId: `user-${id}`,
      email: `${id}@example.test`,
      plan: "100K",
      planId: "plan",
      stage: "Phase 1",
      stageKey: "1",
      status,
      currency: "USD",
      initialBalance: "100000.00",
      equity,
      todayPnl: (Number(equity) - 100000).toFixed(2),
      floor: "95000.00",
      nearest: "daily_loss",
      distance: ((Number(equity) - 95000) / 1000).toFixed(2),
      lastEventAt: null,
      version,
    },
  };
}

class FakeSource implements MonitorSource {
  rows = new Map<string, MonitorEntry>();
  reads: (string[] | undefined)[] = [];
  entries(ids?: string[]): Promise<MonitorEntry[]> {
    this.reads.push(ids);
    const all = [...this.rows.values()];
    return Promise.resolve(
      ids ? all.filter((e) => ids.includes(e.row.id)) : all.filter((e) => e.row.status === "active"),
    );
  }
  /** Staff actions by `<account>:<state version>`, as their audit entries say. */
  staff = new Map<string, StaffActionItem>();
  feed(): Promise<FeedItem[]> {
    return Promise.resolve([]);
  }
  staffActions(changes: { accountId: string; stateVersion: number }[]): Promise<StaffActionItem[]> {
    return Promise.resolve(
      changes.flatMap((c) => this.staff.get(`${c.accountId}:${c.stateVersion}`) ?? []),
    );
  }
  versions(): Promise<Map<string, number>> {
    return Promise.resolve(new Map([...this.rows.values()].map((e) => [e.row.id, e.row.version])));
  }
}

function change(id: string, version: number, equity: string, extra: Record<string, unknown> = {}) {
  return {
    accountId: id,
    stateVersion: version,
    previousVersion: version - 1,
    kind: "sync",
    at: new Date().toISOString(),
    account: {
      status: "active",
      equity,
      initialBalance: "100000.00",
      dailyFloor: "95000.00",
      maxFloor: "90000.00",
      lastEventAt: new Date().toISOString(),
      nextResetAt: RESET,
    },
    verdicts: [],
    ...extra,
  };
}

function setup(options: { maxStreamsPerUser?: number; flushMs?: number } = {}) {
  const bus = new MemoryBus();
  const source = new FakeSource();
  source.rows.set("a", entry("a", "99000.00"));
  source.rows.set("b", entry("b", "97000.00"));
  const { flushMs = 30, ...sinkOptions } = options;
  const sinks = new SinkSet({ ...sinkOptions, log: () => {} });
  const hub = new MonitorHub(bus, source, sinks, { flushMs });
  const readers: SseReader[] = [];
  const open = async (lastEventId: string | null = null, sessionId = "s1") => {
    let out!: ReadableStreamDefaultController<Uint8Array>;
    const held: { sub?: Awaited<ReturnType<MonitorHub["join"]>> } = {};
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (out = c),
      cancel: () => held.sub && hub.leave(held.sub),
    });
    const sub = held.sub = await hub.join(
      out,
      { sessionId, userId: "staff", role: "risk", ip: "1.2.3.4" },
      lastEventId,
    );
    const reader = new SseReader(body);
    readers.push(reader);
    return { sub, reader };
  };
  const publish = (m: unknown) => bus.publish(ACCOUNT_CHANGES_CHANNEL, m);
  const done = async () => {
    for (const r of readers) await r.cancel();
    await bus.close();
  };
  return { bus, source, sinks, hub, open, publish, done };
}

Deno.test("monitor hub: a snapshot of every live account first", async () => {
  const { open, done } = await setup();
  try {
    const { reader } = await open();
    const first = await reader.nextEvent();
    assert.equal(first.event, "snapshot");
    const snap = JSON.parse(first.data) as MonitorSnapshot;
    assert.deepEqual(snap.rows.map(unpackRow).map((r) => [r.id, r.distance]).sort(), [["a", "4.00"], [
      "b",
      "2.00",
    ]]);
    assert.match(first.id, /^[0-9a-f]{8}\.0$/);
  } finally {
    await done();
  }
});

Deno.test("monitor hub: a burst is one event with one compact delta per account, newest version", async () => {
  const { open, publish, source, done } = await setup();
  try {
    const { reader } = await open();
    await reader.nextEvent();
    for (let v = 2; v <= 51; v++) await publish(change("a", v, `${99000 - v * 10}.00`));
    await publish(change("b", 2, "96500.00"));
    const ev = await reader.nextEvent();
    assert.equal(ev.event, "rows");
    const u = JSON.parse(ev.data) as MonitorUpdate;
    assert.deepEqual(u.added, []);
    assert.equal(u.rows.length, 2);
    const a = u.rows.find((d) => d[0] === "a")!;
    assert.deepEqual(a.slice(0, 8), [
      "a",
      51,
      "active",
      "98490.00",
      "-1510.00",
      "95000.00",
      "daily_loss",
      "3.49",
    ]);
    // Bytes per changed account stay small however long the burst.
    assert.ok(ev.data.length < 400, `${ev.data.length} bytes`);
    assert.equal(source.reads.length, 1, "no database read for plain sync changes");
  } finally {
    await done();
  }
});

Deno.test("monitor hub: a change after a quiet spell goes out at once; the next waits for the window", async () => {
  // A window far longer than the test: the first event can only come from the throttle's leading edge.
  const { open, publish, done } = await setup({ flushMs: 60_000 });
  try {
    const { reader } = await open();
    await reader.nextEvent();
    await publish(change("a", 2, "98000.00"));
    const first = JSON.parse((await reader.nextEvent(5_000)).data) as MonitorUpdate;
    assert.deepEqual(first.rows.map((d) => [d[0], d[1]]), [["a", 2]]);
    await publish(change("b", 2, "96000.00"));
    await assert.rejects(() => reader.nextEvent(300), "held until a window after the last event");
  } finally {
    await done();
  }
});

Deno.test("monitor hub: order — older versions are ignored, breaches follow their rows in order", async () => {
  const { open, publish, source, done } = await setup();
  try {
    const { reader } = await open();
    await reader.nextEvent();
    await publish(change("b", 5, "96000.00"));
    await publish(change("b", 4, "99999.00")); // reordered across processes: older, ignored
    const evidence = (at: string) => ({
      rule: "daily_loss",
      action: "fail",
      at,
      floor: "95000.00",
      observed: "94000.00",
    });
    // The database has the failure when its message arrives (a failure is re-read: the day's base may move).
    source.rows.set("a", entry("a", "94000.00", 2, "failed"));
    await publish(change("a", 2, "94000.00", {
      account: { ...change("a", 2, "94000.00").account, status: "failed", nextResetAt: null },
      verdicts: [{ type: "breach", evidence: evidence("2030-01-01T10:00:00.000Z") }],
    }));
    const first = JSON.parse((await reader.nextEvent()).data) as MonitorUpdate;
    assert.deepEqual(first.rows.map((d) => [d[0], d[1], d[2], d[3]]), [
      ["b", 5, "active", "96000.00"],
      ["a", 2, "failed", "94000.00"],
    ]);
    assert.equal(first.feed.length, 1);
    assert.equal(first.feed[0].email, "a@example.test");
    assert.equal(first.feed[0].kind === "breach" && first.feed[0].rule, "daily_loss");
  } finally {
    await done();
  }
});

Deno.test("monitor hub: a staff pause and its resumption reach the feed, with who took them", async () => {
  const { open, publish, source, done } = await setup();
  try {
    const { reader } = await open();
    await reader.nextEvent();
    const staffItem = (action: StaffActionItem["action"], at: string): StaffActionItem => ({
      kind: "staff",
      accountId: "a",
      email: "a@example.test",
      action,
      from: action === "reinstated" ? "paused" : null,
      at,
      actor: "risk@example.test",
      reason: "Suspicious copy trading",
    });
    const admin = (version: number, status: string) =>
      change("a", version, "99000.00", {
        kind: "admin",
        account: { ...change("a", version, "99000.00").account, status },
      });
    source.rows.set("a", entry("a", "99000.00", 2, "paused"));
    source.staff.set("a:2", staffItem("paused", "2030-01-01T10:00:00.000Z"));
    await publish(admin(2, "paused"));
    const paused = JSON.parse((await reader.nextEvent()).data) as MonitorUpdate;
    assert.deepEqual(paused.rows.map((d) => [d[0], d[2]]), [["a", "paused"]]);
    assert.deepEqual(paused.feed, [staffItem("paused", "2030-01-01T10:00:00.000Z")]);
    source.rows.set("a", entry("a", "99000.00", 3, "active"));
    source.staff.set("a:3", staffItem("reinstated", "2030-01-01T11:00:00.000Z"));
    await publish(admin(3, "active"));
    const resumed = JSON.parse((await reader.nextEvent()).data) as MonitorUpdate;
    assert.deepEqual(resumed.feed, [staffItem("reinstated", "2030-01-01T11:00:00.000Z")]);
    // A monitor opened later gets both in its snapshot, newest first.
    const { reader: later } = await open(null, "s2");
    const snap = JSON.parse((await later.nextEvent()).data) as MonitorSnapshot;
    assert.deepEqual(snap.feed.map((f) => f.kind === "staff" && f.action), ["reinstated", "paused"]);
  } finally {
    await done();
  }
});

Deno.test("monitor hub: an account that becomes live is read once and sent whole", async () => {
  const { open, publish, source, done } = await setup();
  try {
    const { reader } = await open();
    await reader.nextEvent();
    source.rows.set("c", entry("c", "95500.00", 3));
    await publish(change("c", 3, "95500.00"));
    const u = JSON.parse((await reader.nextEvent()).data) as MonitorUpdate;
    assert.deepEqual(u.rows, []);
    assert.deepEqual(u.added.map(unpackRow).map((r) => [r.id, r.email, r.distance]), [[
      "c",
      "c@example.test",
      "0.50",
    ]]);
    assert.deepEqual(source.reads.at(-1), ["c"]);
  } finally {
    await done();
  }
});

Deno.test("monitor hub: a resume gets the rows changed since its id; a foreign id gets a snapshot", async () => {
  const { open, publish, done } = await setup();
  try {
    const { reader } = await open();
    await reader.nextEvent();
    await publish(change("a", 2, "98000.00"));
    const first = await reader.nextEvent();
    await publish(change("b", 2, "96000.00"));
    await reader.nextEvent();
    const resumed = await open(first.id, "s2");
    const ev = await resumed.reader.nextEvent();
    assert.equal(ev.event, "rows");
    const u = JSON.parse(ev.data) as MonitorUpdate;
    assert.deepEqual(u.added.map((p) => p[0]), ["b"], "only what changed after the resumed id");
    const other = await open("deadbeef.1", "s3");
    assert.equal((await other.reader.nextEvent()).event, "snapshot");
  } finally {
    await done();
  }
});

Deno.test("monitor hub: caps per user, the stream ends with its session, the last leaves the channel", async () => {
  const { open, hub, sinks, bus, done } = await setup({ maxStreamsPerUser: 2 });
  try {
    const one = await open(null, "s1");
    await open(null, "s2");
    await assert.rejects(() => open(null, "s3"), /At most 2 open streams per user/);
    await one.reader.nextEvent();
    sinks.endSessions(["s1"]);
    await assert.rejects(() => one.reader.nextEvent(500), /the stream ended/);
    assert.equal(hub.stats.streams, 1);
    await done();
    assert.equal(hub.stats.streams, 0);
    assert.equal(hub.stats.rows, 0, "the table is dropped with the last stream");
  } finally {
    await bus.close();
  }
});
