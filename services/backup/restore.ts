/**
 * `deno task restore <file>`: checks the file against its manifest (size and SHA-256) before touching any
 * database, restores it all or nothing into an empty database, then proves the copy: every table's row count,
 * the schema version and the ledger checksum must equal the manifest's.
 *
 * - Real PostgreSQL: `pg_restore --single-transaction --exit-on-error` into the database at DATABASE_URL,
 *   which must hold no tables (`force` drops and replaces the backup's objects instead). The check runs after
 *   the commit; a mismatch is reported as an error with the differences.
 * - Embedded: the tarball is loaded into a staging directory beside `DATA_DIR/pg` and checked there; only a
 *   copy that passes replaces `DATA_DIR/pg` (by a rename). `force` moves an existing database aside to
 *   `DATA_DIR/pg.replaced-<time>` rather than deleting it. Refused while the app holds the directory.
 */
import { openDb } from "../../db/client.ts";
import { lockDataDir } from "../../db/embedded.ts";
import { readFacts } from "./backup.ts";
import type { DatabaseFacts } from "./facts.ts";
import { compareFacts, type Manifest, verifyFile } from "./manifest.ts";
import { pgRestore, pickTool, serverVersion } from "./pg_tools.ts";
import { type BackupTarget, fetchLocal } from "./target.ts";

export interface RestoreOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** A local backup file (its manifest beside it), or the name of a backup in `target`. */
  file: string;
  target: BackupTarget;
  /** Replace what the target database holds instead of refusing. */
  force: boolean;
  now?: () => Date;
}

/** Raised when the target already holds data and `force` was not given. */
export class TargetNotEmpty extends Error {
  override name = "TargetNotEmpty";
}

export async function restoreBackup(
  opts: RestoreOptions,
): Promise<{ manifest: Manifest; facts: DatabaseFacts }> {
  const found = await fetchLocal(opts.file) ?? await opts.target.fetch(opts.file);
  if (!found) {
    throw new Error(`No backup ${opts.file}: neither a file here nor a backup in ${opts.target.where}`);
  }
  try {
    await verifyFile(found.path, found.manifest);
    const kind = opts.databaseUrl ? "postgres" : "embedded";
    if (found.manifest.kind !== kind) {
      throw new Error(
        found.manifest.kind === "postgres"
          ? `${found.manifest.file} is a PostgreSQL backup: set DATABASE_URL to the (empty) database to restore into`
          : `${found.manifest.file} is an embedded-database backup: unset DATABASE_URL to restore it into DATA_DIR`,
      );
    }
    const facts = opts.databaseUrl
      ? await restorePostgres(opts.databaseUrl, found.path, opts.force)
      : await restoreEmbedded(
        opts.dataDir,
        found.path,
        found.manifest,
        opts.force,
        opts.now?.() ?? new Date(),
      );
    const problems = compareFacts(found.manifest, facts);
    if (problems.length) {
      throw new Error(`The restored database differs from the backup:\n  - ${problems.join("\n  - ")}`);
    }
    return { manifest: found.manifest, facts };
  } finally {
    await found.release();
  }
}

async function restorePostgres(url: string, file: string, force: boolean): Promise<DatabaseFacts> {
  const db = await openDb({ url, poolMax: 2 });
  try {
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
      where s.nspname not in ('pg_catalog', 'information_schema') and s.nspname !~ '^pg_(toast|temp)'
        and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')`;
    if (n > 0 && !force) {
      throw new TargetNotEmpty(
        `The target database is not empty (${n} tables, views or sequences): restore into an empty database ` +
          "(createdb), or pass --force to drop and replace the backup's objects in it.",
      );
    }
    const server = await serverVersion(db.sql);
    await pgRestore(await pickTool("pg_restore", server.major), { url, file, clean: n > 0 });
    return await readFacts(db);
  } finally {
    await db.close();
  }
}

async function restoreEmbedded(
  dataDir: string,
  file: string,
  manifest: Manifest,
  force: boolean,
  now: Date,
): Promise<DatabaseFacts> {
  const root = dataDir.replace(/\/+$/, "");
  const lock = await lockDataDir(root); // refused while the app (or a backup) holds the database
  const staging = `${root}/.restore-${crypto.randomUUID()}`;
  try {
    const live = `${root}/pg`;
    const existing = await Deno.stat(`${live}/PG_VERSION`).then(() => true, () => false);
    if (existing && !force) {
      throw new TargetNotEmpty(
        `${root} already holds an embedded database: restore into an empty DATA_DIR, or pass --force to ` +
          "move the current one aside (to pg.replaced-<time>) and restore in its place.",
      );
    }
    const bytes = await Deno.readFile(file);
    const db = await openDb({
      dataDir: staging,
      loadDataDir: new Blob([bytes], { type: "application/x-gzip" }),
    });
    let facts: DatabaseFacts;
    try {
      facts = await readFacts(db);
    } finally {
      await db.close();
    }
    // Checked before it replaces anything: a copy that differs is dropped with the staging directory.
    const problems = compareFacts(manifest, facts);
    if (problems.length) {
      throw new Error(`The restored database differs from the backup:\n  - ${problems.join("\n  - ")}`);
    }
    if (existing) {
      await Deno.rename(live, `${root}/pg.replaced-${now.toISOString().replace(/[-:.]/g, "")}`);
    } else {
      await Deno.remove(live, { recursive: true }).catch(() => {});
    }
    await Deno.rename(`${staging}/pg`, live);
    return facts;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    lock.release();
  }
}
