/**
 * A migrated database for tests. With `DATABASE_URL`: a fresh schema on the real server per call, dropped
 * again on `close()`. Without: one in-memory PGlite per test module, created on first use and shared, because
 * each start costs seconds and hundreds of MB; tests therefore create their own uniquely named data and never
 * assume an empty database.
 */
import { type Db, openDb } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { testEnv } from "./env.ts";

/** Opens a migrated database for one test. Always `close()` it (e.g. in `finally`). */
export async function openTestDb(): Promise<Db> {
  return testEnv.databaseUrl ? await openSchemaDb(testEnv.databaseUrl) : await borrowEmbedded();
}

/** A unique schema name, e.g. `test_m3k1x9_4f2a`. */
export function uniqueSchemaName(prefix = "test"): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${prefix}_${Date.now().toString(36)}_${random}`;
}

/**
 * Opens `url` in a new schema (migrated unless `migrated: false`, named after `prefix`, every statement passed
 * to `onQuery` when given); `close()` drops the schema. Also used directly by the migration tests, which need an
 * unmigrated schema, and by tests that count statements or open a second client on the same schema (`schema`).
 */
export async function openSchemaDb(
  url: string,
  options: { migrated?: boolean; prefix?: string; onQuery?: (query: string) => void } = {},
): Promise<Db & { schema: string }> {
  const schema = uniqueSchemaName(options.prefix);
  const db = await openDb({ url, schema, poolMax: 4, onQuery: options.onQuery });
  try {
    if (options.migrated !== false) await migrate(db);
  } catch (err) {
    await dropSchema(db, schema);
    throw err;
  }
  return { ...db, schema, close: () => dropSchema(db, schema) };
}

async function dropSchema(db: Db, schema: string): Promise<void> {
  try {
    await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
  } finally {
    await db.close();
  }
}

let shared: Promise<Db> | undefined;
let borrowers = 0;

/**
 * Lends the module's shared PGlite. A borrower's `close()` only returns the loan: closing the instance would
 * cost the next test a multi-second restart. It is in-memory, so nothing is lost when the test process exits
 * with it still open; `closeSharedTestDb()` stops it explicitly.
 */
async function borrowEmbedded(): Promise<Db> {
  shared ??= openDb({ dataDir: "memory://" }).then(async (db) => {
    await migrate(db);
    return db;
  });
  let db: Db;
  try {
    db = await shared;
  } catch (err) {
    shared = undefined; // let the next test retry instead of failing on the cached rejection
    throw err;
  }
  borrowers++;
  let returned = false;
  return {
    ...db,
    close() {
      if (!returned) {
        returned = true;
        borrowers--;
      }
      return Promise.resolve();
    },
  };
}

/** Stops the shared embedded instance if nobody is using it. For suites that want a clean exit. */
export async function closeSharedTestDb(): Promise<void> {
  if (!shared || borrowers > 0) return;
  const pending = shared;
  shared = undefined;
  await (await pending).close();
}
