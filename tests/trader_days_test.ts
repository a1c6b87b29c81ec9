/**
 * The active-trader rollups (trader_days/weeks/months, DESIGN §3.4) are written by the statements that write
 * the events (migration 034), no longer by a trigger on `account_events`: each writer must note exactly what
 * the trigger did — the owner's UTC day, ISO week and month of every event written — and no other module may
 * insert events without doing the same. Checked against a recomputation from the events (the same query as
 * tests/analytics_rollups_test.ts), through the sync's grouped two-statement path, its transaction path and
 * the venue's mark writer, with batches across a UTC midnight that is also a week and a month boundary but
 * lies inside one Europe/Prague trading day (the rollups are UTC; the plan's day is not theirs).
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sync } from "./helpers/sync.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { lockAccount } from "../services/accounts/persist.ts";
import { advance } from "../services/accounts/advance.ts";
import { rulesFor, stageOf } from "../services/accounts/rules.ts";
import { stateFromJson } from "../services/engine/state.ts";
import { toEngineEvent } from "../services/engine/sync_events.ts";
import { writeMarks } from "../services/venue/mark_writer.ts";
import type { Db } from "../db/client.ts";

// Sunday 31 May 2026, 23:30 UTC → Monday 1 June, 00:30 UTC: two UTC days, ISO weeks and months, but one
// Europe/Prague trading day (01:30 and 02:30 on 1 June, CEST).
const START = new Date("2026-05-31T20:00:00Z");
const BEFORE_MIDNIGHT = "2026-05-31T23:30:00.000Z";
const AFTER_MIDNIGHT = "2026-06-01T00:30:00.000Z";
const NOW = new Date("2026-06-01T00:31:00Z");

/** The rollups of `userId` and the same recomputed from the events, as sorted text rows. */
async function rollupsOf(db: Db, userId: string) {
  const rows = async (query: Promise<{ d: string }[]>) => (await query).map((r) => r.d).sort();
  const sql = db.sql;
  return {
    stored: {
      days: await rows(sql`select day::text as d from trader_days where user_id = ${userId}`),
      weeks: await rows(sql`select week::text as d from trader_weeks where user_id = ${userId}`),
      months: await rows(sql`select month::text as d from trader_months where user_id = ${userId}`),
    },
    fromEvents: {
      days: await rows(sql`
        select distinct (e.at at time zone 'UTC')::date::text as d
        from account_events e join accounts a on a.id = e.account_id where a.user_id = ${userId}`),
      weeks: await rows(sql`
        select distinct date_trunc('week', e.at at time zone 'UTC')::date::text as d
        from account_events e join accounts a on a.id = e.account_id where a.user_id = ${userId}`),
      months: await rows(sql`
        select distinct date_trunc('month', e.at at time zone 'UTC')::date::text as d
        from account_events e join accounts a on a.id = e.account_id where a.user_id = ${userId}`),
    },
  };
}

const ACROSS_MIDNIGHT = {
  days: ["2026-05-31", "2026-06-01"],
  weeks: ["2026-05-25", "2026-06-01"],
  months: ["2026-05-01", "2026-06-01"],
};

Deno.test("demo-sync's grouped write notes the owner's UTC days, weeks and months of its events", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId, planVersionId } = await openTestAccount(db, userId, { at: START });
    // Siblings of the same owner written at once: their batches may share one group write (same user, same
    // days in one insert).
    const siblings = await Promise.all([1, 2, 3].map(() => openSibling(db, userId, planVersionId, START)));
    const results = await Promise.all([accountId, ...siblings].map((id, i) =>
      applySync({ db, bus }, id, [
        sync.mark("100010.00", "100000.00", BEFORE_MIDNIGHT),
        sync.open(`t${i}`, BEFORE_MIDNIGHT),
        sync.mark("100020.00", "100000.00", AFTER_MIDNIGHT),
      ], NOW)
    ));
    assert.deepEqual(results.map((r) => r.accepted), [3, 3, 3, 3]);
    // The plan's trading day is one (Prague), the rollups' UTC days two.
    const days = await db.sql<{ d: string }[]>`
      select distinct trading_day::text as d from daily_stats where account_id = ${accountId}`;
    assert.deepEqual(days.map((r) => r.d), ["2026-06-01"]);

    const { stored, fromEvents } = await rollupsOf(db, userId);
    assert.deepEqual(stored, ACROSS_MIDNIGHT);
    assert.deepEqual(stored, fromEvents);

    // A later batch of a day already noted adds nothing and fails nothing.
    await applySync(
      { db, bus },
      accountId,
      [sync.mark("100030.00", "100000.00", "2026-06-01T00:30:30Z")],
      NOW,
    );
    assert.deepEqual((await rollupsOf(db, userId)).stored, ACROSS_MIDNIGHT);
  } finally {
    await db.close();
  }
});

Deno.test("demo-sync's transaction path (a breach) notes the owner's days too", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: START });
    // Far below the daily floor: a breach, which only the transaction (persistChange) writes.
    const result = await applySync({ db, bus }, accountId, [
      sync.mark("100010.00", "100000.00", BEFORE_MIDNIGHT),
      sync.mark("90000.00", "100000.00", AFTER_MIDNIGHT),
    ], NOW);
    assert.equal(result.breaches.length, 1);
    const { stored, fromEvents } = await rollupsOf(db, userId);
    assert.deepEqual(stored, ACROSS_MIDNIGHT);
    assert.deepEqual(stored, fromEvents);
  } finally {
    await db.close();
  }
});

Deno.test("the venue's mark writer notes the owners' days of the marks it writes", async () => {
  const db = await openTestDb();
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: START });
    const marks = [
      sync.mark("100010.00", "100000.00", BEFORE_MIDNIGHT),
      sync.mark("100020.00", "100000.00", AFTER_MIDNIGHT),
    ];
    const { written } = await db.tx(async (tx) => {
      const account = (await lockAccount(tx, accountId))!;
      const { rules } = await rulesFor(tx, account.plan_version_id!, stageOf(account));
      const state = stateFromJson(account.engine_state!);
      const advanced = advance(state, rules, marks.map((m) => ({ id: m.id, event: toEngineEvent(m) })));
      return { account, state, advanced };
    }).then(({ account, state, advanced }) =>
      writeMarks(db.sql, [{ account, state, advanced, events: marks }], NOW)
    );
    assert.ok(written.has(accountId));
    const { stored, fromEvents } = await rollupsOf(db, userId);
    assert.deepEqual(stored, ACROSS_MIDNIGHT);
    assert.deepEqual(stored, fromEvents);
  } finally {
    await db.close();
  }
});

Deno.test("only the writers that note trader days insert events", async () => {
  // A new writer of `account_events` must note the owners' days as these do (migration 034), or the
  // analytics' active traders silently miss its events.
  const writers: string[] = [];
  for await (const path of walk(new URL("../services/", import.meta.url))) {
    if (!path.endsWith(".ts") || path.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(path);
    if (!/insert\s+into\s+account_events/i.test(text)) continue;
    writers.push(path.slice(path.indexOf("services/")));
    assert.match(
      text,
      /note_trader_days|insert\s+into\s+trader_days/i,
      `${path} writes events, no trader days`,
    );
  }
  assert.deepEqual(writers.sort(), [
    "services/accounts/write_change.ts",
    "services/venue/mark_writer.ts",
  ]);
});

async function* walk(dir: URL): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (entry.isFile) yield url.pathname;
  }
}
