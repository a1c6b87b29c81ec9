import assert from "node:assert/strict";
import type { Db } from "./client.ts";
import { openTestDb } from "../tests/helpers/db.ts";

/**
 * Sends `plain` ordinary queries and then one `db.tx`, all in the same tick, on a pool whose connections are
 * idle: the round-robin over busy connections then lands the transaction's BEGIN at every pipeline position
 * in turn as `plain` grows, including the one that fills a connection's pipeline (porsager/postgres#1189).
 */
async function burstThenTx(db: Db, plain: number): Promise<{ tx: PromiseSettledResult<string> }> {
  const queries = Array.from({ length: plain }, () => db.sql`select 1`.then(() => {}));
  const tx = db.tx(async (t) => {
    const [{ a }] = await t<{ a: string }[]>`select txid_current()::text as a`;
    const [{ b }] = await t<{ b: string }[]>`select txid_current()::text as b`;
    assert.equal(a, b, "both statements ran in one transaction");
    return a;
  });
  const [settled] = await Promise.allSettled([tx, ...queries]);
  return { tx: settled as PromiseSettledResult<string> };
}

/** Whether the next ordinary queries run inside a transaction someone left open (their txid repeats). */
async function leftInTransaction(db: Db): Promise<boolean> {
  const max = db.sql.options.max;
  const probe = async () => {
    const [{ a }] = await db.sql<{ a: string }[]>`select txid_current()::text as a`;
    const [{ b }] = await db.sql<{ b: string }[]>`select txid_current()::text as b`;
    return a === b;
  };
  // One probe per connection, at the same time, so each pool connection is checked.
  return (await Promise.all(Array.from({ length: max }, probe))).some(Boolean);
}

Deno.test("a transaction sent when the pool's pipelines are full keeps its connection and leaves none open", async () => {
  const db = await openTestDb();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => {
    // postgres.js 3.4.9 also rejects the lost transaction's own queries where nobody listens.
    e.preventDefault();
    unhandled.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    // `max_pipeline` is parsed (default 100) but missing from the driver's option types.
    const { max, max_pipeline } = db.sql.options as typeof db.sql.options & { max_pipeline: number };
    const failures: string[] = [];
    // Every position up to one past "every connection's pipeline is full".
    for (let plain = 0; plain <= max * (max_pipeline + 1); plain++) {
      const { tx } = await burstThenTx(db, plain);
      if (tx.status === "rejected") failures.push(`${plain}: ${tx.reason}`);
      if (await leftInTransaction(db)) {
        failures.push(`${plain}: a connection was left inside a transaction`);
        break; // everything after would run inside it
      }
    }
    assert.deepEqual(
      failures,
      [],
      `${failures.length} failed bursts, e.g. ${failures.slice(0, 3).join("; ")}`,
    );
    assert.deepEqual(unhandled.map(String), []);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    await db.close();
  }
});

Deno.test("a statement that failed unobserved inside a transaction is never reported as committed", async () => {
  const db = await openTestDb();
  try {
    await assert.rejects(
      db.tx(async (tx) => {
        await tx`select 1 / 0`.catch(() => {}); // swallowed: the server has aborted the transaction
        return "done";
      }),
      (err: Error) => err.name === "TransactionRolledBack" || /division by zero/.test(err.message),
    );
    assert.equal((await db.sql`select 1 as ok`)[0].ok, 1, "the connection went back to the pool");
  } finally {
    await db.close();
  }
});

Deno.test("a failed COMMIT gives its connection back to the pool", async () => {
  const db = await openTestDb();
  try {
    // More failed commits than connections: a connection kept after one would starve the next query.
    for (let i = 0; i <= db.sql.options.max; i++) {
      await assert.rejects(
        db.tx(async (tx) => {
          await tx`create temp table pair (x int unique deferrable initially deferred) on commit drop`;
          await tx`insert into pair values (1), (1)`; // checked at COMMIT
        }),
        /duplicate key/,
      );
    }
    assert.equal((await db.sql`select 1 as ok`)[0].ok, 1);
  } finally {
    await db.close();
  }
});

Deno.test("a savepoint rolls back only its own part of the transaction", async () => {
  const db = await openTestDb();
  try {
    const kept = await db.tx(async (tx) => {
      await tx`create temp table parts (x int) on commit drop`;
      await tx`insert into parts values (1)`;
      await assert.rejects(
        tx.savepoint(async (inner) => {
          await inner`insert into parts values (2)`;
          throw new Error("undo the inner part");
        }),
        /undo the inner part/,
      );
      await tx.savepoint("named", (inner) => inner`insert into parts values (3)`);
      return (await tx<{ x: number }[]>`select x from parts order by x`).map((r) => r.x);
    });
    assert.deepEqual(kept, [1, 3]);
  } finally {
    await db.close();
  }
});
