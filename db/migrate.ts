/**
 * Schema migrations: `NNN_name.sql` files applied in numeric order, each in its own transaction together with
 * its row in `schema_migrations` (version, name, sha-256 checksum). Safe to run from several processes at
 * once: every transaction first takes an advisory lock and then re-reads what is already applied.
 */
import type postgres from "postgres";
import type { Db } from "./client.ts";

type MigrationFile = { version: number; name: string; file: string; text: string; checksum: string };

/** First half of the advisory-lock key ("PRPM"); the second half is the schema, so schemas don't contend. */
export const MIGRATION_LOCK_CLASS = 0x5052504d;
const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/**
 * Applies every migration in `dir` not yet recorded in `schema_migrations` of the current schema.
 *
 * Refuses to run (and applies nothing) when an applied migration's file was edited or removed: the database
 * would no longer match the code's idea of the schema, and silently continuing hides that.
 *
 * @returns the file names applied by this call, in order (empty when already up to date).
 */
export async function migrate(
  db: Db,
  dir: URL = new URL("./migrations/", import.meta.url),
): Promise<{ applied: string[] }> {
  const files = await readMigrations(dir);
  const applied: string[] = [];
  // One transaction per migration; each re-checks under the lock, so a concurrent runner's work is seen.
  while (true) {
    const done = await db.tx((tx) => applyNext(tx, files));
    if (!done) return { applied };
    applied.push(done);
  }
}

/** Reads and checksums the migration files of `dir`, sorted by version. */
export async function readMigrations(dir: URL): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const match = FILE_NAME.exec(entry.name);
    if (!match) {
      throw new Error(`Migration file ${entry.name} must be named NNN_name.sql (e.g. 002_add_sessions.sql)`);
    }
    const bytes = await Deno.readFile(new URL(entry.name, dir));
    files.push({
      version: Number(match[1]),
      name: match[2],
      file: entry.name,
      text: new TextDecoder().decode(bytes),
      checksum: await sha256Hex(bytes),
    });
  }
  files.sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    if (files[i].version === files[i - 1].version) {
      throw new Error(
        `Migrations ${files[i - 1].file} and ${files[i].file} share version ${files[i].version}`,
      );
    }
  }
  return files;
}

type AppliedRow = { version: number; name: string; checksum: string };

/** Inside one transaction: lock, verify history, apply the first pending migration. Returns its file name. */
async function applyNext(tx: postgres.TransactionSql, files: MigrationFile[]): Promise<string | null> {
  await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}::int, hashtext(current_schema()))`;
  // Created under the lock: concurrent `create table if not exists` can still collide in the catalog.
  const [{ exists }] = await tx<{ exists: boolean }[]>`
    select to_regclass('schema_migrations') is not null as exists`;
  if (!exists) {
    await tx`
      create table schema_migrations (
        version int primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
  }
  const rows = await tx<AppliedRow[]>`select version, name, checksum from schema_migrations order by version`;
  verifyHistory(rows, files);
  const done = new Set(rows.map((r) => r.version));
  const next = files.find((f) => !done.has(f.version));
  if (!next) return null;
  try {
    await tx.unsafe(next.text);
  } catch (err) {
    throw new Error(`Migration ${next.file} failed: ${(err as Error).message}`, { cause: err });
  }
  await tx`
    insert into schema_migrations (version, name, checksum)
    values (${next.version}, ${next.name}, ${next.checksum})`;
  return next.file;
}

function verifyHistory(rows: AppliedRow[], files: MigrationFile[]): void {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of rows) {
    const file = byVersion.get(row.version);
    const recorded = `${String(row.version).padStart(3, "0")}_${row.name}.sql`;
    if (!file) {
      throw new Error(
        `Migration ${recorded} was applied to this database but its file is missing; restore it ` +
          `(applied migrations are never deleted, add a new migration instead)`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new Error(
        `Migration ${file.file} was edited after being applied (checksum ${file.checksum.slice(0, 12)}… ` +
          `≠ recorded ${row.checksum.slice(0, 12)}…); revert the edit and add a new migration instead`,
      );
    }
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
