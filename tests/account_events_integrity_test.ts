/**
 * `account_events` has no foreign key to `accounts` (migration 035: it cost every event row a nested check
 * that the inserting statement had already made). Its writers keep the integrity instead, and these tests
 * hold them to it: a demo-sync batch whose account is deleted while the batch is being written leaves no
 * event behind (the group write's compare-and-set finds no row, so nothing joins it), and deleting an account
 * deletes its events, as the key's `on delete cascade` did. Which modules may insert events at all is
 * checked in tests/trader_days_test.ts.
 */
import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import { openTestDb } from "./helpers/db.ts";
import { testEnv } from "./helpers/env.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sync } from "./helpers/sync.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { NotFound } from "../lib/errors.ts";
import type { Db } from "../db/client.ts";

const START = new Date("2026-03-02T08:00:00Z");
const at = (minutes: number) => new Date(+START + minutes * 60_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const eventsOf = async (db: Db, accountId: string) =>
  (await db.sql<{ n: number }[]>`
    select count(*)::int as n from account_events where account_id = ${accountId}`)[0].n;

const orphans = async (db: Db) =>
  (await db.sql<{ n: number }[]>`
    select count(*)::int as n from account_events e where not exists (select from accounts a where a.id = e.account_id)`)[
    0
  ]
    .n;

Deno.test({
  name: "an account deleted while its batch is written leaves no event behind",
  // A second connection deletes the account while the batch runs: embedded PGlite serves only one.
  ignore: !testEnv.databaseUrl,
  async fn() {
    const db = await openTestDb();
    const other = await openDb({ url: testEnv.databaseUrl!, poolMax: 1 });
    const bus = new MemoryBus();
    try {
      const { accountId } = await openTestAccount(db, await newUser(db), { at: START });
      await applySync({ db, bus }, accountId, [sync.open("t0", at(1))], START);
      assert.equal(await eventsOf(db, accountId), 1);
      const [{ path }] = await db.sql<{ path: string }[]>`select current_setting('search_path') as path`;

      // The delete (uncommitted) comes before the batch's read, which therefore still sees the account; the
      // batch's write then waits for the row and finds it gone once the delete commits.
      const conn = await other.sql.reserve();
      await conn.unsafe(`set search_path to ${path}`);
      await conn.unsafe("begin");
      await conn`delete from accounts where id = ${accountId}`;
      const pending = applySync({ db, bus }, accountId, [
        sync.mark("100010.00", "100000.00", at(2)),
        sync.open("t1", at(3)),
      ], START).then(() => "applied", (error) => error);
      const [{ pid }] = await conn<{ pid: number }[]>`select pg_backend_pid() as pid`;
      // Until the batch's write waits for the deleting transaction's row lock.
      let waited = false;
      for (let i = 0; i < 200 && !waited; i++) {
        const [{ waiting }] = await db.sql<{ waiting: boolean }[]>`
          select exists (select from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))) as waiting`;
        waited = waiting;
        if (!waiting) await sleep(10);
      }
      assert.ok(waited, "the batch's write never waited for the deleted row");
      await conn.unsafe("commit");
      conn.release();
      assert.ok(await pending instanceof NotFound, String(await pending));
      assert.equal(await eventsOf(db, accountId), 0);
      assert.equal(await orphans(db), 0);
    } finally {
      await other.close();
      await db.close();
    }
  },
});

Deno.test("deleting accounts deletes their events, as the foreign key's cascade did", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const kept = await openTestAccount(db, await newUser(db), { at: START });
    const gone = await Promise.all([1, 2].map(() => openTestAccount(db, userId, { at: START })));
    for (const { accountId } of [kept, ...gone]) {
      await applySync({ db, bus }, accountId, [
        sync.open("t0", at(1)),
        sync.mark("100010.00", "100000.00", at(2)),
      ], START);
    }
    // As retention's purge of an erased user does (services/privacy/prune.ts): one statement, two accounts.
    await db.tx(async (tx) => {
      await tx`delete from accounts where user_id = ${userId}`;
    });
    for (const { accountId } of gone) assert.equal(await eventsOf(db, accountId), 0);
    assert.equal(await eventsOf(db, kept.accountId), 2);
    assert.equal(await orphans(db), 0);
  } finally {
    await db.close();
  }
});
