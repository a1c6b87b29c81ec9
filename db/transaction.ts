/**
 * Transactions on a connection reserved before BEGIN is sent.
 *
 * Written against postgres.js 3.4.9, whose `sql.begin()` wrote BEGIN first and reserved the connection
 * afterwards, in a hook skipped at a full pipeline or under socket back-pressure (porsager/postgres#1189): the
 * server connection then went back to the pool *inside* the open transaction. `sql.reserve()` takes a
 * connection only when it is idle and marks it reserved before anything is written, so BEGIN, the statements
 * and COMMIT never share it with the pool. Version 4 (a new pool) keeps that guarantee for reserved
 * connections, so this stays: it also saves BEGIN's round trip (below). bench/pg_pipeline.ts measures both.
 *
 * BEGIN is not awaited alone: it is written first and the transaction's first statements are pipelined
 * behind it on the reserved connection, so it costs no round trip of its own (issue #14: ~0.5 ms of every
 * transaction). The server runs them in order, so they run inside the transaction. A bare BEGIN on an idle
 * session fails only with the session itself (the connection lost, the server shutting down), which fails
 * the statements behind it too; whatever its error, the transaction rejects with it, ROLLBACK is sent unless
 * the connection is gone, and only then is the connection released.
 */
import postgres from "postgres";

/** A COMMIT the server answered with ROLLBACK: a statement in the transaction failed unobserved. */
class TransactionRolledBack extends Error {
  constructor() {
    super("the transaction was rolled back by the server instead of committed");
    this.name = "TransactionRolledBack";
  }
}

/**
 * Runs `fn` in a transaction on a reserved connection; commits when it resolves, rolls back when it throws.
 * The connection goes back to the pool only once it is known to be outside any transaction; a connection
 * that was lost meanwhile is left to the driver, which has already detached it.
 */
export async function runTransaction<T>(
  sql: postgres.Sql,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  const conn = await sql.reserve();
  let settled = false; // the connection is outside any transaction (or gone) and may be released
  // Sent now (a query is written when it is first awaited or `then`ed), ahead of everything `fn` sends.
  const begun = conn.unsafe("begin").then(() => null, (error: unknown) => ({ error }));
  try {
    let result: T;
    try {
      result = await fn(asTransaction(conn));
      const refused = await begun;
      if (refused) throw refused.error;
    } catch (err) {
      // A failed BEGIN is the cause of whatever failed behind it, and is what the caller is told.
      const cause = (await begun)?.error ?? err;
      if (!connectionLost(cause) && !connectionLost(err)) {
        await conn.unsafe("rollback"); // after a refused BEGIN: a no-op (a warning), but certain
        settled = true;
      }
      throw cause;
    }
    let done: postgres.RowList<postgres.Row[]>;
    try {
      done = await conn.unsafe("commit");
    } catch (err) {
      // A failed COMMIT (deferred constraint, serialization failure) still ends the transaction.
      settled = !connectionLost(err);
      throw err;
    }
    settled = true;
    if (done.command === "ROLLBACK") throw new TransactionRolledBack();
    return result;
  } finally {
    // Not settled: the connection was lost (the driver has detached it) or a ROLLBACK failed without losing
    // it — kept out of the pool rather than risk handing out an open transaction.
    if (settled) conn.release();
  }
}

/** Driver errors about the connection itself (CONNECTION_CLOSED, …) rather than a statement's failure. */
function connectionLost(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return false;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^CONNECT/.test(code);
}

/**
 * The reserved connection with the transaction-only methods. Savepoints nest with `savepoint`/`rollback to`;
 * two-phase commit is not used by this app and refuses rather than committing silently.
 */
function asTransaction(conn: postgres.ReservedSql): postgres.TransactionSql {
  let savepoints = 0;
  const tx = conn as unknown as postgres.TransactionSql;
  const savepoint = async <U>(
    nameOrFn: string | ((sql: postgres.TransactionSql) => U | Promise<U>),
    maybeFn?: (sql: postgres.TransactionSql) => U | Promise<U>,
  ) => {
    const fn = typeof nameOrFn === "function" ? nameOrFn : maybeFn!;
    const label = `s${savepoints++}${typeof nameOrFn === "string" ? "_" + nameOrFn.replace(/\W/g, "") : ""}`;
    await conn.unsafe(`savepoint ${label}`);
    try {
      const result = await fn(tx);
      await conn.unsafe(`release savepoint ${label}`);
      return result;
    } catch (err) {
      if (!connectionLost(err)) await conn.unsafe(`rollback to savepoint ${label}`);
      throw err;
    }
  };
  const prepare = () => {
    throw new Error("prepared (two-phase) transactions are not supported by db.tx");
  };
  return Object.assign(tx, { savepoint, prepare }) as postgres.TransactionSql;
}
