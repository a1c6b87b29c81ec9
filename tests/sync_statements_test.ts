/**
 * What a demo-sync batch costs the database (issue 15, "Ingest efficiency"): a plain batch is two statements
 * (read, then one write that applies it only if the account is unchanged), a fully re-sent one a single read,
 * and an account changed between the two statements is read and written again — never twice applied. The
 * counts are asserted so that extra statements cannot creep back into the path unnoticed.
 */
import assert from "node:assert/strict";
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { testEnv } from "./helpers/env.ts";
import { openSchemaDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sync } from "./helpers/sync.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync, syncLocked } from "../services/accounts/sync.ts";
import { lockAccount } from "../services/accounts/persist.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";

const START = new Date("2026-03-02T08:00:00Z");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const at = (minutes: number) => new Date(+START + minutes * 60_000).toISOString();

/** A migrated database whose every statement is recorded in `log`. */
async function countingDb(): Promise<{ db: Db; log: string[]; close: () => Promise<void> }> {
  const log: string[] = [];
  const onQuery = (query: string) => void log.push(query);
  if (!testEnv.databaseUrl) {
    const db = await openDb({ dataDir: "memory://", onQuery });
    await migrate(db);
    return { db, log, close: () => db.close() };
  }
  const db = await openSchemaDb(testEnv.databaseUrl, { prefix: "sync_statements", onQuery });
  return { db, log, close: db.close };
}

/** What the live path wrote for an account, without the account's id and the instants of writing. */
async function rowsOf(db: Db, accountId: string): Promise<Record<string, unknown>> {
  const table = (name: string, order: string, drop: string[] = []) =>
    db.sql.unsafe(
      `select * from ${name} where account_id = $1 order by ${order}`,
      [accountId],
    ).then((rows) => rows.map((r) => omit(r, ["account_id", "id", "received_at", "created_at", ...drop])));
  const [account] = await db.sql`
    select status, balance, equity, daily_floor, max_floor, engine_state, state_version, last_event_at,
           next_reset_at from accounts where id = ${accountId}`;
  const changes = (await table("account_changes", "state_version", ["payload"])).length;
  const payloads = await db.sql<{ payload: { account: Record<string, unknown>; verdicts: unknown } }[]>`
    select payload from account_changes where account_id = ${accountId} order by state_version`;
  return {
    account,
    changes,
    changePayloads: payloads.map((p) => ({
      ...p.payload,
      accountId: undefined,
      account: omit(p.payload.account, ["id", "updatedAt", "createdAt", "challengeId"]),
    })),
    events: await table("account_events", "state_version"),
    trades: await table("trades", "external_id"),
    days: await table("daily_stats", "trading_day"),
    samples: await table("equity_samples", "at"),
  };
}

function omit(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
}

/** Holds `accountId`'s row (`for update`, changing nothing) on a connection of its own until `release`. */
async function holdRow(db: Db, accountId: string): Promise<{ release: () => Promise<void> }> {
  const [{ path }] = await db.sql<{ path: string }[]>`select current_setting('search_path') as path`;
  const other = await openDb({ url: testEnv.databaseUrl!, poolMax: 1 });
  const conn = await other.sql.reserve();
  await conn.unsafe(`set search_path to ${path}`);
  await conn.unsafe("begin");
  await conn`select 1 from accounts where id = ${accountId} for update`;
  return {
    release: async () => {
      await conn.unsafe("rollback");
      conn.release();
      await other.close();
    },
  };
}

/** A statement of the sync path: its write (the CTEs on `acct`) or its read. */
const kindOf = (q: string) => /with acct as/.test(q) ? "write" : "read";

/** The statements `fn` sends. */
async function statementsOf(log: string[], fn: () => Promise<unknown>): Promise<string[]> {
  const from = log.length;
  await fn();
  return log.slice(from);
}

Deno.test("a demo-sync batch of 10 events is one statement after this process's write, two after another's; a re-sent one is two", async () => {
  const { db, log, close } = await countingDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId, planVersionId } = await openTestAccount(db, userId, { at: START });
    const sibling = await openSibling(db, userId, planVersionId, START);
    // The first batch compiles the plan's rules (one read, cached for the process).
    const first = sync.open("t0", at(1));
    await applySync({ db, bus }, accountId, [first], START);

    const batch: SyncEvent[] = [
      sync.mark("100050.00", "100000.00", at(2)),
      sync.open("t1", at(3)),
      sync.mark("100120.00", "100000.00", at(4)),
      sync.close("t0", "150.00", at(5)), // opened by an earlier batch
      sync.open("t2", at(6)),
      sync.mark("100180.00", "100150.00", at(7)),
      sync.close("t2", "-20.00", at(8)), // opened in this batch: inserted closed
      sync.mark("100100.00", "100130.00", at(9)),
      sync.mark("100160.00", "100130.00", at(9.5)),
      sync.mark("100140.00", "100130.00", at(10)),
    ];
    const now = new Date(+START + 3_600_000);
    // This process wrote the account last (the first batch): the write alone, its checks standing in for the read.
    const statements = await statementsOf(log, () => applySync({ db, bus }, accountId, batch, now));
    assert.deepEqual(statements.map(kindOf), ["write"], statements.join("\n---\n"));

    // The same batches through the transaction path on a sibling account write the same rows.
    await db.tx(async (tx) => {
      const account = await lockAccount(tx, sibling);
      return await syncLocked(tx, account, new Set(), [first], START);
    });
    await db.tx(async (tx) => syncLocked(tx, await lockAccount(tx, sibling), new Set(), batch, now));
    assert.deepEqual(await rowsOf(db, accountId), await rowsOf(db, sibling));
    const trades = (await rowsOf(db, accountId)).trades as { external_id: string; status: string }[];
    assert.deepEqual(trades.map((t) => [t.external_id, t.status]), [
      ["t0", "closed"],
      ["t1", "open"],
      ["t2", "closed"],
    ]);

    // A re-sent batch: the write finds its ids applied and writes nothing; the read answers duplicates.
    const resent = await statementsOf(log, async () => {
      const again = await applySync({ db, bus }, accountId, batch, now);
      assert.equal(again.duplicates, 10);
    });
    assert.deepEqual(resent.map(kindOf), ["write", "read"], resent.join("\n---\n"));

    // Another writer changed the account (here: the transaction path): the write finds a new row version,
    // and the batch is read and written again.
    // (The failed write forgot the account: its next batch is read, and written, and remembered again.)
    const next = await statementsOf(
      log,
      () => applySync({ db, bus }, accountId, [sync.mark("100145.00", "100130.00", at(10.5))], now),
    );
    assert.deepEqual(next.map(kindOf), ["read", "write"]);
    const later = [sync.mark("100150.00", "100130.00", at(11))];
    await db.tx(async (tx) => syncLocked(tx, await lockAccount(tx, accountId), new Set(), later, now));
    const after = await statementsOf(log, async () => {
      const answer = await applySync(
        { db, bus },
        accountId,
        [sync.mark("100155.00", "100130.00", at(12))],
        now,
      );
      assert.equal(answer.accepted, 1);
      assert.equal(answer.account.stateVersion, 14);
    });
    assert.deepEqual(after.map(kindOf), ["write", "read", "write"], after.join("\n---\n"));
  } finally {
    await close();
  }
});

Deno.test({
  name: "an account changed between the read and the write is read and written again, applied once",
  // A second connection holds the account's row while the batch runs: embedded PGlite serves only one.
  ignore: !testEnv.databaseUrl,
  async fn() {
    const { db, log, close } = await countingDb();
    const other = await openDb({ url: testEnv.databaseUrl!, schema: undefined, poolMax: 1 });
    const bus = new MemoryBus();
    try {
      const { accountId } = await openTestAccount(db, await newUser(db), { at: START });
      await applySync({ db, bus }, accountId, [sync.open("t0", at(1))], START);
      const [{ search_path }] = await db.sql<{ search_path: string }[]>`select current_setting('search_path')
        as search_path`;

      // Another writer updates the account (uncommitted) before the batch reads it, and commits once the
      // batch's write waits for its row: the write then finds a new row version and writes nothing.
      const conn = await other.sql.reserve();
      await conn.unsafe(`set search_path to ${search_path}`);
      await conn.unsafe("begin");
      await conn`update accounts set updated_at = now() where id = ${accountId}`;
      const statements = await statementsOf(log, async () => {
        const from = log.length;
        const pending = applySync(
          { db, bus },
          accountId,
          [sync.mark("100010.00", "100000.00", at(2))],
          START,
        );
        while (!log.slice(from).some((q) => /with acct as/.test(q))) await sleep(20);
        await sleep(100); // the write now waits for the row
        await conn.unsafe("commit");
        assert.equal((await pending).accepted, 1);
      });
      conn.release();
      // The first try is the write alone (this process wrote the account last): it finds a new row version.
      assert.deepEqual(statements.map(kindOf), ["write", "read", "write"]);
      const [{ n }] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from account_events where account_id = ${accountId}`;
      assert.equal(n, 2);
    } finally {
      await other.close();
      await close();
    }
  },
});

Deno.test("concurrent batches of several accounts share write statements; a failing one fails alone", async () => {
  const { db, log, close } = await countingDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId, planVersionId } = await openTestAccount(db, userId, { at: START });
    const ids = [accountId];
    for (let i = 0; i < 5; i++) ids.push(await openSibling(db, userId, planVersionId, START));
    await applySync({ db, bus }, accountId, [sync.mark("100000.00", "100000.00", at(1))], START);

    // The first write waits (its account's row is held elsewhere) while the other batches become ready:
    // they are then written together. Embedded PGlite runs one statement at a time: the others are ready
    // before the first write ends in any case.
    const holder = testEnv.databaseUrl ? await holdRow(db, accountId) : null;
    const writes = await statementsOf(log, async () => {
      const from = log.length;
      const pending = Promise.all(
        ids.map((id, i) =>
          applySync(
            { db, bus },
            id,
            [sync.open(`g${i}`, at(2)), sync.mark("100010.00", "100000.00", at(3))],
            START,
          )
        ),
      );
      if (holder) {
        while (!log.slice(from).some((q) => /with acct as/.test(q))) await sleep(20);
        await sleep(200);
        await holder.release();
      }
      const results = await pending;
      assert.deepEqual(results.map((r) => r.accepted), ids.map(() => 2));
    }).then((statements) => statements.filter((q) => /with acct as/.test(q)));
    assert.equal(writes.length, 2, `${writes.length} write statements for ${ids.length} batches`);

    // A symbol the trades table refuses fails its own batch only, whatever group it was written in.
    const bad = { ...sync.open("bad", at(4)), symbol: "" } as SyncEvent;
    const outcomes = await Promise.allSettled(
      ids.map((id, i) =>
        applySync({ db, bus }, id, i === 2 ? [bad] : [sync.mark("100020.00", "100000.00", at(4))], START)
      ),
    );
    assert.deepEqual(outcomes.map((o) => o.status), ids.map((_, i) => i === 2 ? "rejected" : "fulfilled"));
    const versions = await db.sql<{ id: string; state_version: number }[]>`
      select id, state_version from accounts where id = any(${ids})`;
    const byId = new Map(versions.map((v) => [v.id, v.state_version]));
    assert.deepEqual(ids.map((id) => byId.get(id)), ids.map((_, i) => (i === 0 ? 4 : 3) - (i === 2 ? 1 : 0)));
  } finally {
    await close();
  }
});

Deno.test("the write finds its accounts by key, however many accounts there are", async () => {
  const { db, close } = await countingDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: START });
    await applySync({ db, bus }, accountId, [sync.open("t0", at(1))], START);
    // Other traders' accounts: enough pages that reading all of them is the planner's worse choice.
    await db.sql`
      insert into accounts (user_id, type, status, currency, initial_balance, balance, equity)
      select ${userId}, 'demo', 'closed', 'USD', 100000, 100000, 100000 from generate_series(1, 300)`;
    // One connection, one transaction around the batch: its statistics are then this batch's alone.
    const conn = await db.sql.reserve();
    try {
      await conn.unsafe("begin");
      const scans = async () =>
        (await conn<{ seq: number }[]>`
          select coalesce(seq_scan, 0)::int as seq from pg_stat_xact_user_tables
          where relid = 'accounts'::regclass`)[0].seq;
      const before = await scans();
      const result = await applySync(
        // A reserved connection runs queries as the pool does; postgres.js 4's types leave out its pool-only
        // members (end, listen…), which applySync does not use.
        { db: { ...db, sql: conn as unknown as typeof db.sql }, bus },
        accountId,
        [
          sync.mark("100050.00", "100000.00", at(2)),
          sync.close("t0", "50.00", at(3)),
        ],
        START,
      );
      assert.equal(result.accepted, 2);
      assert.equal(await scans() - before, 0, "a batch must not read the whole accounts table");
    } finally {
      await conn.unsafe("rollback");
      conn.release();
    }
  } finally {
    await close();
  }
});
