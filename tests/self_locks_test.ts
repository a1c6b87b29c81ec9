/**
 * Self-locks below HTTP, on real PostgreSQL through the real sync path: each lock triggers at the right
 * moment and lifts at the right reset or cooldown end (`now` injected), loosening waits for the reset while
 * tightening applies at once, the demo-sync answer carries `trading.allowed=false` with the reason, and
 * trading days follow the plan's zone across a DST change.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sync } from "./helpers/sync.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import type { Db } from "../db/client.ts";
import type { Actor } from "../services/audit.ts";
import { applySync } from "../services/accounts/sync.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { ftmo100k, topstep50k } from "../services/engine/testing.ts";
import { tradingPermission } from "../services/venue/locks.ts";
import { updateSelfLocks } from "../services/self_locks/store.ts";
import { NO_SELF_LOCKS, type SelfLockSettings } from "../services/self_locks/settings.ts";
import { selfLockStatus } from "../services/self_locks/status.ts";
import type { PlanDefinition } from "../services/plans/definition.ts";

// A Monday. Prague midnight resets are 23:00Z in winter: this trading day runs 2026-03-01T23:00Z–03-02T23:00Z.
const START = new Date("2026-03-02T08:00:00Z");
const RESET = "2026-03-02T23:00:00.000Z";
const at = (iso: string) => new Date(iso);

interface Arranged {
  db: Db;
  bus: MemoryBus;
  accountId: string;
  userId: string;
  actor: Actor;
  set(settings: Partial<SelfLockSettings>, now: string): ReturnType<typeof updateSelfLocks>;
  push(now: string, ...events: SyncEvent[]): ReturnType<typeof applySync>;
  permission(now: string): ReturnType<typeof tradingPermission>;
}

async function arrange(plan: PlanDefinition = ftmo100k(), start = START): Promise<Arranged> {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const userId = await newUser(db);
  const { accountId } = await openTestAccount(db, userId, { plan, at: start });
  const actor: Actor = { userId, ip: "203.0.113.9", userAgent: "test" };
  return {
    db,
    bus,
    accountId,
    userId,
    actor,
    set: (settings, now) =>
      updateSelfLocks(db, userId, actor, accountId, { ...NO_SELF_LOCKS, ...settings }, at(now)),
    push: (now, ...events) => applySync({ db, bus }, accountId, events, at(now)),
    permission: (now) => tradingPermission(db.sql, accountId, at(now)),
  };
}

const ALLOWED = { allowed: true, code: null, reason: null, until: null };

Deno.test("no self-locks: always allowed, and one read answers", async () => {
  const a = await arrange();
  try {
    assert.deepEqual(await a.permission("2026-03-02T09:00:00Z"), ALLOWED);
    await a.push("2026-03-02T09:01:00Z", sync.open("t1", "2026-03-02T09:00:00Z"));
    assert.deepEqual(await a.permission("2026-03-02T09:01:00Z"), ALLOWED);
  } finally {
    await a.db.close();
  }
});

Deno.test("max trades per day: the Nth trade locks until the reset, which lifts it", async () => {
  const a = await arrange();
  try {
    await a.set({ maxTradesPerDay: 2 }, "2026-03-02T08:30:00Z");
    await a.push("2026-03-02T09:00:00Z", sync.open("t1", "2026-03-02T09:00:00Z"));
    assert.deepEqual(await a.permission("2026-03-02T09:00:00Z"), ALLOWED, "1 of 2");
    const second = await a.push("2026-03-02T10:00:00Z", sync.open("t2", "2026-03-02T10:00:00Z"));
    const locked = await a.permission("2026-03-02T10:00:00Z");
    assert.equal(locked.allowed, false);
    assert.equal(locked.code, "self_locked");
    assert.equal(locked.until, RESET);
    assert.match(locked.reason!, /opened 2 of your 2 trades/);
    // The batch that opened the 2nd trade already answers with the lock.
    assert.equal(second.trading.allowed, false);
    assert.equal(second.trading.reason, "self_locked");
    assert.equal(second.trading.until, RESET);
    assert.equal(second.trading.closeAll, false, "a self-lock never forces a close");
    assert.deepEqual(second.trading.openPositions, ["t1", "t2"]);
    assert.match(second.trading.message!, /2 of your 2 trades/);
    assert.equal((await a.permission("2026-03-02T22:59:59.999Z")).allowed, false, "a ms before the reset");
    assert.deepEqual(await a.permission(RESET), ALLOWED, "the reset lifts it");
  } finally {
    await a.db.close();
  }
});

Deno.test("daily loss limit: reached on the day's worst equity, holds after a recovery, lifts at the reset", async () => {
  const a = await arrange();
  try {
    await a.set({ dailyLossLimit: "1000.00" }, "2026-03-02T08:30:00Z");
    await a.push(
      "2026-03-02T09:30:00Z",
      sync.open("t1", "2026-03-02T09:00:00Z"),
      sync.mark("99000.01", "100000.00", "2026-03-02T09:30:00Z"),
    );
    assert.deepEqual(await a.permission("2026-03-02T09:30:00Z"), ALLOWED, "999.99 lost: not yet");
    const hit = await a.push(
      "2026-03-02T10:00:00Z",
      sync.mark("99000.00", "100000.00", "2026-03-02T10:00:00Z"),
    );
    assert.equal(hit.trading.allowed, false, "exactly the limit: locked");
    assert.equal(hit.trading.until, RESET);
    assert.match(hit.trading.message!, /\$1,000 is reached \(today's loss \$1,000\)/);
    // Back to flat: reached once, the lock holds for the rest of the day.
    await a.push("2026-03-02T11:00:00Z", sync.mark("100000.00", "100000.00", "2026-03-02T11:00:00Z"));
    assert.equal((await a.permission("2026-03-02T11:00:00Z")).allowed, false);
    assert.deepEqual(await a.permission(RESET), ALLOWED, "the next trading day starts clean");
    // Realized losses count too: a close at −1,000.00 the next day locks again.
    await a.push("2026-03-03T09:00:00Z", sync.close("t1", "-1000.00", "2026-03-03T09:00:00Z"));
    const realized = await a.permission("2026-03-03T09:00:00Z");
    assert.equal(realized.allowed, false);
    assert.equal(realized.until, "2026-03-03T23:00:00.000Z");
  } finally {
    await a.db.close();
  }
});

Deno.test("cooldown: N losses in a row lock for M minutes from the Nth close; a win resets the streak", async () => {
  const a = await arrange();
  try {
    await a.set({ cooldownLosses: 2, cooldownMinutes: 30 }, "2026-03-02T08:30:00Z");
    const loss = (id: string, open: string, close: string) => [
      sync.open(id, open),
      sync.close(id, "-10.00", close),
    ];
    await a.push("2026-03-02T09:10:00Z", ...loss("t1", "2026-03-02T09:00:00Z", "2026-03-02T09:10:00Z"));
    assert.deepEqual(await a.permission("2026-03-02T09:10:00Z"), ALLOWED, "one loss");
    const second = await a.push(
      "2026-03-02T10:00:00Z",
      ...loss("t2", "2026-03-02T09:50:00Z", "2026-03-02T10:00:00Z"),
    );
    assert.equal(second.trading.reason, "self_locked");
    assert.equal(second.trading.until, "2026-03-02T10:30:00.000Z");
    assert.equal((await a.permission("2026-03-02T10:29:59.999Z")).allowed, false);
    assert.deepEqual(await a.permission("2026-03-02T10:30:00Z"), ALLOWED, "the cooldown ends");
    // The streak counts afresh after a cooldown: the 3rd loss does not lock, the 4th does.
    await a.push("2026-03-02T10:40:00Z", ...loss("t3", "2026-03-02T10:35:00Z", "2026-03-02T10:40:00Z"));
    assert.deepEqual(await a.permission("2026-03-02T10:40:00Z"), ALLOWED);
    await a.push("2026-03-02T10:50:00Z", ...loss("t4", "2026-03-02T10:45:00Z", "2026-03-02T10:50:00Z"));
    assert.equal((await a.permission("2026-03-02T10:50:00Z")).until, "2026-03-02T11:20:00.000Z");
    // A win ends the streak: one more loss after it is a streak of one.
    await a.push(
      "2026-03-02T11:40:00Z",
      sync.open("w", "2026-03-02T11:30:00Z"),
      sync.close("w", "5.00", "2026-03-02T11:35:00Z"),
      ...loss("t5", "2026-03-02T11:36:00Z", "2026-03-02T11:40:00Z"),
    );
    const status = await selfLockStatus(a.db.sql, a.accountId, at("2026-03-02T11:40:00Z"));
    assert.equal(status!.losingStreak, 1);
    assert.deepEqual(status!.held, []);
  } finally {
    await a.db.close();
  }
});

Deno.test("tightening applies at once; loosening waits for the next reset and is shown as pending", async () => {
  const a = await arrange();
  try {
    const first = await a.set({ maxTradesPerDay: 3, dailyLossLimit: "500.00" }, "2026-03-02T08:30:00Z");
    assert.equal(first.stored.settings.maxTradesPerDay, 3);
    assert.equal(first.stored.pending, null);
    await a.push("2026-03-02T09:00:00Z", sync.open("t1", "2026-03-02T09:00:00Z"));

    const tighter = await a.set({ maxTradesPerDay: 1, dailyLossLimit: "500.00" }, "2026-03-02T09:10:00Z");
    assert.equal(tighter.stored.settings.maxTradesPerDay, 1, "tighter: at once");
    assert.equal((await a.permission("2026-03-02T09:10:00Z")).allowed, false, "and it locks at once");

    const looser = await a.set({ maxTradesPerDay: 5, dailyLossLimit: null }, "2026-03-02T09:20:00Z");
    assert.equal(looser.stored.settings.maxTradesPerDay, 1, "looser: not yet");
    assert.equal(looser.stored.settings.dailyLossLimit, "500.00", "removal is a loosening too");
    assert.deepEqual(looser.stored.pending, { maxTradesPerDay: 5, dailyLossLimit: null });
    assert.equal(looser.stored.pendingAt, Date.parse(RESET));
    assert.equal((await a.permission("2026-03-02T09:20:00Z")).allowed, false, "the lock still holds");

    // At the reset the pending values are in force, without any write.
    const after = await selfLockStatus(a.db.sql, a.accountId, at(RESET));
    assert.deepEqual(after!.stored.settings, { ...NO_SELF_LOCKS, maxTradesPerDay: 5 });
    assert.equal(after!.stored.pending, null);

    // Asking again for the value in force cancels that field's pending change.
    const back = await a.set({ maxTradesPerDay: 5 }, "2026-03-02T09:30:00Z");
    assert.deepEqual(back.stored.pending, { maxTradesPerDay: 5, dailyLossLimit: null });
    const cancel = await a.set({ maxTradesPerDay: 1, dailyLossLimit: "500.00" }, "2026-03-02T09:40:00Z");
    assert.equal(cancel.stored.pending, null);

    // Every change is audited with before, request and result.
    const audit = await a.db.sql<{ action: string; actor_id: string; details: Record<string, unknown> }[]>`
      select action, actor_id, details from audit_log
      where target_type = 'account' and target_id = ${a.accountId} order by at, id`;
    assert.equal(audit.length, 5);
    assert.ok(audit.every((r) => r.action === "account.self_locks_changed" && r.actor_id === a.userId));
    assert.deepEqual(audit[2].details.pending, { maxTradesPerDay: 5, dailyLossLimit: null });
    assert.equal(audit[2].details.pendingAt, RESET);
  } finally {
    await a.db.close();
  }
});

Deno.test("cooldown pair: a shorter cooldown waits while fewer losses apply at once", async () => {
  const a = await arrange();
  try {
    await a.set({ cooldownLosses: 3, cooldownMinutes: 60 }, "2026-03-02T08:30:00Z");
    const mixed = await a.set({ cooldownLosses: 2, cooldownMinutes: 15 }, "2026-03-02T08:40:00Z");
    assert.deepEqual(mixed.stored.settings, { ...NO_SELF_LOCKS, cooldownLosses: 2, cooldownMinutes: 60 });
    assert.deepEqual(mixed.stored.pending, { cooldownMinutes: 15 });
    const off = await a.set({}, "2026-03-02T08:50:00Z");
    assert.deepEqual(off.stored.settings, mixed.stored.settings, "removing waits too");
    assert.deepEqual(off.stored.pending, { cooldownLosses: null, cooldownMinutes: null });
  } finally {
    await a.db.close();
  }
});

Deno.test("trading days follow the plan's zone across DST (Chicago 17:00: 23:00Z in CST, 22:00Z in CDT)", async () => {
  // US clocks spring forward on Sunday 2026-03-08.
  const a = await arrange(topstep50k(), new Date("2026-03-05T15:00:00Z"));
  try {
    await a.set({ maxTradesPerDay: 1 }, "2026-03-05T15:00:00Z");
    await a.push("2026-03-06T15:00:00Z", sync.open("fri", "2026-03-06T15:00:00Z"));
    assert.equal((await a.permission("2026-03-06T15:00:00Z")).until, "2026-03-06T23:00:00.000Z", "CST");
    assert.deepEqual(await a.permission("2026-03-06T23:00:00Z"), ALLOWED);
    await a.push("2026-03-09T15:00:00Z", sync.open("mon", "2026-03-09T15:00:00Z"));
    assert.equal((await a.permission("2026-03-09T15:00:00Z")).until, "2026-03-09T22:00:00.000Z", "CDT");
    assert.deepEqual(
      await a.permission("2026-03-09T22:00:00Z"),
      ALLOWED,
      "the reset is an hour earlier in UTC",
    );
    // A trade at 22:30Z on Monday belongs to Tuesday's session.
    await a.push("2026-03-09T22:30:00Z", sync.open("tue", "2026-03-09T22:30:00Z"));
    const tuesday = await selfLockStatus(a.db.sql, a.accountId, at("2026-03-09T22:30:00Z"));
    assert.equal(tuesday!.day.key, "2026-03-10");
    assert.equal(tuesday!.tradesToday, 1);
    assert.equal(tuesday!.held[0].until, Date.parse("2026-03-10T22:00:00Z"));
    // A loosening asked for on Sunday morning, the day the clocks change, applies at 17:00 CDT.
    await a.set({ maxTradesPerDay: 3 }, "2026-03-08T12:00:00Z");
    const pending = await selfLockStatus(a.db.sql, a.accountId, at("2026-03-08T12:00:00Z"));
    assert.equal(pending!.stored.pendingAt, Date.parse("2026-03-08T22:00:00Z"));
  } finally {
    await a.db.close();
  }
});
