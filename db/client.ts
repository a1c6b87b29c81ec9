/**
 * The one database handle. Real PostgreSQL when a URL is given, embedded PGlite otherwise; both are reached
 * through the same `postgres` driver, so every query module runs unchanged in both modes.
 */
import postgres from "postgres";
import { startEmbedded } from "./embedded.ts";
import { runTransaction } from "./transaction.ts";

/**
 * How values are typed on the way to the server, the same in every pool. postgres.js 4 sends parameters
 * untyped and serializes each by the type the server describes; the app was written against version 3, which
 * typed them from their JavaScript value and sent strings as they are:
 * - `infer`: a `Date` goes as `timestamptz`, a boolean as `boolean`, an array by its first element (v3).
 * - a string bound to a date/time parameter goes as it is, for the server to read — the app passes instants as
 *   text read from the database (`2026-05-01 00:00:00+00`, with microseconds), which version 4 would push
 *   through a JavaScript `Date`: an error for that form, and microseconds cut to milliseconds for ISO text.
 */
const DRIVER_TYPING: { infer: true; types: Record<string, postgres.PostgresType> } = {
  infer: true,
  types: {
    date: {
      to: 1184,
      from: [1082, 1114, 1184], // date, timestamp, timestamptz
      serialize: (x: unknown) =>
        typeof x === "string" ? x : (x instanceof Date ? x : new Date(x as number)).toISOString(),
    },
  },
};

/**
 * Seconds before the next connection attempt after `retries` failed ones: 25 ms doubling up to 1 s, with
 * jitter so a cluster's processes do not reconnect in step. The driver's default grows by 3× up to 20 s —
 * meant to spare a struggling server — so after PostgreSQL had been down for 5 s every process kept
 * answering 503 for ~16 s after it was back (bench:load's PostgreSQL fault). One attempt per second per
 * process is nothing to a server that is down, and the app is back within a second of the database.
 */
function reconnectDelaySeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.025 * 2 ** retries, 1);
}

/** What every pool is opened with. */
const DRIVER_OPTIONS = { ...DRIVER_TYPING, backoff: reconnectDelaySeconds };

/** A transaction's query function, as `Db.tx` hands it to its callback. */
export type Tx = postgres.TransactionSql;

/**
 * Anything that runs a query: the pool (`db.sql`) or a transaction. Query functions take this, so a caller
 * composes them inside its own transaction or runs them alone. Declared here once; import it, never restate it.
 */
export type Sql = postgres.Sql | Tx;

/**
 * Whether `sql` is a transaction (it has savepoints; the pool and a reserved connection have none). Inside one
 * transaction every update of a row leaves the same `xmin`, so code that takes an unchanged `xmin` as proof
 * that nobody wrote a row in between may rely on it only outside a transaction.
 */
export function isTransaction(sql: Sql): sql is Tx {
  return "savepoint" in sql;
}

export type Db = {
  sql: postgres.Sql;
  kind: "postgres" | "embedded";
  /** Runs `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T>;
  /** Throws unless the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * What can be seen of the pool (postgres.js exposes no pool counters): its size, and the transactions in
   * flight — each holds a connection, or waits for one — counted by `tx`. Queries outside a transaction
   * borrow a connection for one statement and are not counted.
   */
  pool: { max: number; transactions(): number };
  /** Ends the connections and, in embedded mode, stops the socket server and PGlite. Idempotent. */
  close(): Promise<void>;
  /**
   * Real PostgreSQL only: a separate one-connection client on the same database and schema, for session state
   * that must not ride on a pooled connection (the price feed's advisory lock). The caller ends it.
   */
  dedicated?: () => postgres.Sql;
  /**
   * Embedded mode only: the data directory as a gzipped tarball (PGlite's own format, for backups). Absent
   * for a real server, whose backups are `pg_dump`'s (services/backup/).
   */
  dumpDataDir?: () => Promise<Blob>;
};

export type OpenDbOptions = {
  /** `postgres://…` of a real server; absent → embedded PGlite. */
  url?: string;
  /** Embedded mode only: the data directory (the cluster lives in `${dataDir}/pg`), or `memory://`. */
  dataDir?: string;
  /** Real PostgreSQL only: the pool size (embedded mode always uses one connection). */
  poolMax?: number;
  /** Real PostgreSQL only: the schema to work in (created if missing), set as the connection's search_path. */
  schema?: string;
  /** Embedded mode only: fill an empty data directory from a `dumpDataDir` tarball (restores). */
  loadDataDir?: Blob;
  /** Called with the text of every statement the pool sends (tests count a path's statements with it). */
  onQuery?: (query: string) => void;
};

/** The driver's `debug` hook for `onQuery` (absent: the driver skips the call). */
function debugOf(opts: OpenDbOptions) {
  const onQuery = opts.onQuery;
  return onQuery ? { debug: (_connection: number, query: string) => onQuery(query) } : {};
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the database described by `opts`.
 *
 * Numeric columns come back as strings (the driver's default; money is never a float), timestamptz as `Date`.
 *
 * @example
 * const db = await openDb({ url: config.databaseUrl, dataDir: "./data" });
 * try { await db.ping(); } finally { await db.close(); }
 */
export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  if (opts.url) return await openPostgres(opts.url, opts);
  if (opts.schema) throw new Error("openDb: `schema` is only supported with a real PostgreSQL url");
  const embedded = await startEmbedded(opts.dataDir ?? "memory://", { loadDataDir: opts.loadDataDir });
  try {
    const sql = postgres({
      host: embedded.host,
      port: embedded.port,
      user: "postgres",
      database: "postgres",
      // pglite-socket serves one connection and runs one query at a time.
      max: 1,
      // Recycling a loopback connection buys nothing and briefly needs a second server slot.
      max_lifetime: null,
      onnotice: () => {},
      ...DRIVER_OPTIONS,
      ...debugOf(opts),
    });
    const db: Db = { ...wrap(sql, "embedded", embedded.stop, 1), dumpDataDir: embedded.dumpDataDir };
    await db.ping();
    return db;
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

async function openPostgres(url: string, opts: OpenDbOptions): Promise<Db> {
  const { schema } = opts;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`openDb: invalid schema name ${JSON.stringify(schema)} (expected ${SCHEMA_NAME})`);
  }
  if (schema) {
    // The schema must exist before connections use it as their search_path, or current_schema() is null.
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const sql = postgres(url, {
    max: opts.poolMax ?? 10,
    onnotice: () => {},
    ...DRIVER_OPTIONS,
    ...debugOf(opts),
    ...(schema ? { connection: { search_path: schema } } : {}),
  });
  const db: Db = {
    ...wrap(sql, "postgres", async () => {}, opts.poolMax ?? 10),
    dedicated: () =>
      postgres(url, {
        max: 1,
        onnotice: () => {},
        ...DRIVER_OPTIONS,
        ...(schema ? { connection: { search_path: schema } } : {}),
      }),
  };
  try {
    await db.ping();
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

function wrap(sql: postgres.Sql, kind: Db["kind"], stopServer: () => Promise<void>, max: number): Db {
  let closed: Promise<void> | undefined;
  let transactions = 0;
  return {
    sql,
    kind,
    async tx<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
      transactions++;
      try {
        // Not `sql.begin`: under saturation it can lose its connection (porsager/postgres#1189, transaction.ts).
        return await runTransaction(sql, fn);
      } finally {
        transactions--;
      }
    },
    pool: { max, transactions: () => transactions },
    async ping() {
      await sql`select 1`;
    },
    close() {
      closed ??= (async () => {
        try {
          await sql.end({ timeout: 5 });
        } finally {
          await stopServer();
        }
      })();
      return closed;
    },
  };
}

/**
 * Error codes of a database that cannot be reached or is going away, as opposed to a query that failed:
 * postgres.js's connection errors, the socket's, and PostgreSQL's connection-exception (08…) and
 * operator-intervention (57P0x: shutdown, crash, not yet accepting connections) classes.
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
]);

/** Whether `error` says the database is unreachable (an outage to wait out), not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"));
}
