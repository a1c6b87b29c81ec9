import assert from "node:assert/strict";
import { type Db, openDb } from "./client.ts";
import { migrate, MIGRATION_LOCK_CLASS, readMigrations } from "./migrate.ts";
import { openSchemaDb, uniqueSchemaName } from "../tests/helpers/db.ts";
import { skipUnless, testEnv } from "../tests/helpers/env.ts";

const MIGRATIONS = new URL("./migrations/", import.meta.url);
const realPg = skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set: real PostgreSQL tests skipped");
const url = testEnv.databaseUrl!;

// Fixture migrations below are numbered 900+ so the real ones can grow without touching these tests.
const CORE_TABLES = [
  "account_changes",
  "account_events",
  "account_milestones",
  "account_self_locks",
  "accounts",
  "audit_log",
  "auth_sessions",
  "breach_days",
  "breaches",
  "challenges",
  "coupons",
  "daily_stats",
  "email_tokens",
  "equity_samples",
  "faq_entries",
  "kyc_documents",
  "kyc_submissions",
  "mail_outbox",
  "milestone_days",
  "notification_counters",
  "notification_preferences",
  "notifications",
  "order_days",
  "orders",
  "payment_events",
  "payout_approvals",
  "payouts",
  "plan_versions",
  "plans",
  "recovery_codes",
  "refresh_tokens",
  "refund_days",
  "refunds",
  "schema_migrations",
  "testimonials",
  "trader_days",
  "trader_months",
  "trader_weeks",
  "trades",
  "user_totp",
  "users",
  "venue_bars",
  "venue_instruments",
  "venue_orders",
  "venue_positions",
  "venue_quotes",
  "venue_ticks",
];

async function tables(db: Db): Promise<string[]> {
  const rows = await db.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() order by table_name`;
  return rows.map((r) => r.name);
}

async function allMigrationFiles(): Promise<string[]> {
  return (await readMigrations(MIGRATIONS)).map((m) => m.file);
}

/** A temp copy of the real migrations directory, so a test can edit, add or remove files. */
async function copyMigrations(): Promise<URL> {
  const dir = await Deno.makeTempDir({ prefix: "migrations_" });
  for await (const entry of Deno.readDir(MIGRATIONS)) {
    if (entry.isFile) await Deno.copyFile(new URL(entry.name, MIGRATIONS), `${dir}/${entry.name}`);
  }
  return new URL(`file://${dir}/`);
}

Deno.test({
  name: "migrations apply cleanly to an empty schema and are recorded with checksums",
  ignore: realPg,
  async fn() {
    const db = await openSchemaDb(url, { migrated: false });
    try {
      const { applied } = await migrate(db);
      assert.deepEqual(applied, await allMigrationFiles());
      assert.deepEqual(await tables(db), CORE_TABLES);
      const rows = await db.sql<{ version: number; name: string; checksum: string; applied_at: Date }[]>`
        select * from schema_migrations order by version`;
      assert.equal(rows[0].version, 1);
      assert.equal(rows[0].name, "core");
      assert.match(rows[0].checksum, /^[0-9a-f]{64}$/);
      assert.ok(rows[0].applied_at instanceof Date);
    } finally {
      await db.close();
    }
  },
});

Deno.test({
  name: "running migrations again is a no-op",
  ignore: realPg,
  async fn() {
    const db = await openSchemaDb(url, { migrated: false });
    try {
      await migrate(db);
      const before = await db.sql`select version, applied_at from schema_migrations order by version`;
      assert.deepEqual(await migrate(db), { applied: [] });
      assert.deepEqual(
        await db.sql`select version, applied_at from schema_migrations order by version`,
        before,
      );
    } finally {
      await db.close();
    }
  },
});

Deno.test({
  name: "later migrations apply incrementally; a failing one rolls back entirely",
  ignore: realPg,
  async fn() {
    const dir = await copyMigrations();
    const db = await openSchemaDb(url, { migrated: false });
    try {
      await migrate(db, dir);
      await Deno.writeTextFile(new URL("900_notes.sql", dir), "create table notes (id int primary key);\n");
      assert.deepEqual(await migrate(db, dir), { applied: ["900_notes.sql"] });

      await Deno.writeTextFile(
        new URL("901_broken.sql", dir),
        "create table half_done (id int);\ninsert into no_such_table values (1);\n",
      );
      await assert.rejects(migrate(db, dir), /Migration 901_broken\.sql failed: .*no_such_table/);
      assert.ok(!(await tables(db)).includes("half_done"), "the failed migration's DDL is rolled back");
      const [{ max }] = await db.sql`select max(version) from schema_migrations`;
      assert.equal(max, 900);
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "an applied migration that was edited or removed is refused with a clear message",
  ignore: realPg,
  async fn() {
    const dir = await copyMigrations();
    const db = await openSchemaDb(url, { migrated: false });
    try {
      await migrate(db, dir);
      const core = new URL("001_core.sql", dir);
      await Deno.writeTextFile(core, (await Deno.readTextFile(core)) + "\n-- a harmless-looking edit\n");
      // A pending migration is not applied either: the history must be fixed first.
      await Deno.writeTextFile(new URL("900_next.sql", dir), "create table next_one (id int);\n");
      await assert.rejects(migrate(db, dir), (err: Error) => {
        assert.match(err.message, /001_core\.sql was edited after being applied/);
        return true;
      });
      assert.ok(!(await tables(db)).includes("next_one"));

      await Deno.remove(core);
      await assert.rejects(
        migrate(db, dir),
        /001_core\.sql was applied to this database but its file is missing/,
      );
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "two concurrent runners apply each migration exactly once",
  ignore: realPg,
  async fn() {
    const dir = await copyMigrations();
    // Slow migrations widen the window in which the runners overlap.
    for (const n of [2, 3, 4]) {
      await Deno.writeTextFile(
        new URL(`90${n}_slow_${n}.sql`, dir),
        `select pg_sleep(0.05);\ncreate table slow_${n} (id int);\n`,
      );
    }
    const schema = uniqueSchemaName();
    const [a, b] = [await openDb({ url, schema }), await openDb({ url, schema })];
    try {
      const [ra, rb] = await Promise.all([migrate(a, dir), migrate(b, dir)]);
      const all = [...ra.applied, ...rb.applied].sort();
      assert.deepEqual(all, (await readMigrations(dir)).map((m) => m.file));
      const [{ n }] = await a.sql`select count(*)::int as n from schema_migrations`;
      assert.equal(n, all.length);
    } finally {
      await a.sql.unsafe(`drop schema if exists "${schema}" cascade`);
      await Promise.all([a.close(), b.close()]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the migration lock is per schema: a busy schema does not block another",
  ignore: realPg,
  async fn() {
    const [busy, other] = [
      await openSchemaDb(url, { migrated: false }),
      await openSchemaDb(url, { migrated: false }),
    ];
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const holder = busy.tx(async (tx) => {
        await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}::int, hashtext(current_schema()))`;
        locked();
        await held;
      });
      await lockTaken;
      const result = await migrate(other);
      assert.deepEqual(result.applied, await allMigrationFiles());
      release();
      await holder;
    } finally {
      await Promise.all([busy.close(), other.close()]);
    }
  },
});

Deno.test("the same migrations apply on embedded PGlite, persist in the data dir and re-run as a no-op", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pglite_" });
  try {
    const db = await openDb({ dataDir });
    try {
      assert.equal(db.kind, "embedded");
      assert.deepEqual(await migrate(db), { applied: await allMigrationFiles() });
      assert.deepEqual(await tables(db), CORE_TABLES);
      // Numerics keep their exact decimal text; nothing turns money into a float.
      const [row] = await db.sql`select 12345678901.23::numeric(15,2) as amount, 0.1::numeric + 0.2 as sum`;
      assert.deepEqual({ ...row }, { amount: "12345678901.23", sum: "0.3" });
    } finally {
      await db.close();
    }
    assert.ok((await Deno.stat(`${dataDir}/pg`)).isDirectory, "the cluster lives in <dataDir>/pg");

    const reopened = await openDb({ dataDir });
    try {
      assert.deepEqual(await migrate(reopened), { applied: [] });
      const [{ n }] = await reopened.sql`select count(*)::int as n from schema_migrations`;
      assert.equal(n, (await allMigrationFiles()).length);
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
