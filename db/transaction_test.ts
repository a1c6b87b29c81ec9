import assert from "node:assert/strict";
import { type Db, openDb } from "./client.ts";
import { runTransaction } from "./transaction.ts";
import { openTestDb } from "../tests/helpers/db.ts";
import { skipUnless, testEnv } from "../tests/helpers/env.ts";
import { latencyProxy } from "../tests/helpers/latency_proxy.ts";

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

Deno.test({
  name:
    "BEGIN rides with the transaction's first statement: a one-statement transaction takes two round trips",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set (the proxy needs a real server)"),
  async fn() {
    const DELAY = 40;
    const server = new URL(testEnv.databaseUrl!);
    const proxy = latencyProxy({ hostname: server.hostname, port: Number(server.port || 5432) }, DELAY);
    const url = new URL(testEnv.databaseUrl!);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const db = await openDb({ url: url.toString(), poolMax: 1 });
    try {
      const once = () => db.tx((tx) => tx`select 1 as one`);
      await once(); // the statement prepared
      const took: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await once();
        took.push(performance.now() - t0);
      }
      // Each round trip waits DELAY ms at the proxy: BEGIN with the statement, then COMMIT.
      const fastest = Math.min(...took);
      assert.equal(Math.floor(fastest / DELAY), 2, `${fastest.toFixed(0)} ms at ${DELAY} ms a round trip`);
    } finally {
      await db.close();
      await proxy.close();
    }
  },
});

Deno.test("a refused BEGIN fails the transaction with its error and leaves no connection in a transaction", async () => {
  const db = await openTestDb();
  try {
    // The pool's connections with a BEGIN the server refuses (what a session failing at BEGIN looks like).
    const refusing = {
      reserve: async () => {
        const conn = await db.sql.reserve();
        return new Proxy(conn, {
          get(target, key, receiver) {
            const value = Reflect.get(target, key, receiver);
            if (key !== "unsafe") return value;
            return (query: string, ...rest: unknown[]) =>
              (value as (...args: unknown[]) => unknown).call(
                target,
                query === "begin" ? "begin nonsense" : query,
                ...rest,
              );
          },
        });
      },
    } as unknown as typeof db.sql;
    // More failures than connections: a connection kept after one would starve the next query.
    for (let i = 0; i <= db.sql.options.max; i++) {
      await assert.rejects(
        runTransaction(refusing, (tx) => tx`select 1 as one`),
        (err: Error) => /syntax error/.test(err.message),
      );
    }
    assert.equal(await leftInTransaction(db), false);
    assert.equal((await db.sql`select 1 as ok`)[0].ok, 1, "the connections went back to the pool");
  } finally {
    await db.close();
  }
});
