/**
 * `deno task backup`: one consistent copy of the database, filed with its manifest, then retention.
 *
 * - Real PostgreSQL: `pg_dump --format=custom` reading the snapshot of a repeatable-read transaction that
 *   also computes the manifest's facts, so the counts and the ledger checksum describe exactly the dumped
 *   data while the app keeps running and writing.
 * - Embedded PGlite: PGlite's own `dumpDataDir` tarball (Debian's pg_dump 15 cannot read PGlite's newer
 *   PostgreSQL). PGlite serves one process, so the backup takes the data directory's lock and is refused
 *   while the app runs: stop the app, back up, start it again.
 */
import { type Db, openDb } from "../../db/client.ts";
import { type DatabaseFacts, databaseFacts } from "./facts.ts";
import { digestFile, type Manifest, manifestOf } from "./manifest.ts";
import { pgDump, pickTool, serverVersion } from "./pg_tools.ts";
import { backupsToPrune, type RetentionPolicy } from "./retention.ts";
import type { BackupTarget } from "./target.ts";

export interface BackupOptions {
  /** Real PostgreSQL; absent → the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  target: BackupTarget;
  policy: RetentionPolicy;
  now?: () => Date;
  /** Stops a PostgreSQL dump in progress (the scheduled backup's lock was lost); rejects with its reason. */
  signal?: AbortSignal;
  /**
   * Runs after the dump, before the backup is filed in the target: throwing drops it (nothing filed, nothing
   * pruned). The scheduled backup checks here that it still holds its lock.
   */
  beforeCommit?: () => Promise<void>;
}

export interface BackupResult {
  manifest: Manifest;
  /** Files of older backups deleted by retention. */
  pruned: string[];
}

type Dumped = { facts: DatabaseFacts; tool: string; server: string };

/** Takes a backup into `opts.target`, then prunes older ones by `opts.policy` (only after success). */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const createdAt = (opts.now ?? (() => new Date()))();
  const kind = opts.databaseUrl ? "postgres" : "embedded";
  const stamp = createdAt.toISOString().replace(/[-:]/g, "").replace(".", "");
  const name = `proptrade-${stamp}-${kind}.${kind === "postgres" ? "dump" : "tar.gz"}`;
  const staged = await opts.target.staging(name);
  let manifest: Manifest;
  try {
    const dumped = opts.databaseUrl
      ? await dumpPostgres(opts.databaseUrl, staged, opts.signal)
      : await dumpEmbedded(opts.dataDir, staged);
    const digest = await digestFile(staged);
    manifest = manifestOf({ name, ...digest }, { createdAt, kind, ...dumped }, dumped.facts);
    await opts.beforeCommit?.();
    await opts.target.commit(staged, manifest);
  } catch (error) {
    await Deno.remove(staged).catch(() => {});
    throw error;
  }
  const pruned = backupsToPrune(await opts.target.list(), opts.policy, createdAt)
    .filter((file) => file !== name);
  for (const file of pruned) await opts.target.remove(file);
  return { manifest, pruned };
}

async function dumpPostgres(url: string, file: string, signal?: AbortSignal): Promise<Dumped> {
  const db = await openDb({ url, poolMax: 2 });
  try {
    const server = await serverVersion(db.sql);
    const tool = await pickTool("pg_dump", server.major);
    const facts = await db.tx(async (tx) => {
      await tx`set transaction isolation level repeatable read, read only`;
      const [{ snapshot }] = await tx<{ snapshot: string }[]>`select pg_export_snapshot() as snapshot`;
      // pg_dump runs while this transaction stays open: its snapshot exists only as long as we do.
      const [facts] = await Promise.all([databaseFacts(tx), pgDump(tool, { url, file, snapshot, signal })]);
      return facts;
    });
    return { facts, tool: tool.version, server: server.text };
  } finally {
    await db.close();
  }
}

async function dumpEmbedded(dataDir: string, file: string): Promise<Dumped> {
  const exists = await Deno.stat(`${dataDir}/pg/PG_VERSION`).then(() => true, () => false);
  if (!exists) throw new Error(`There is no embedded database in ${dataDir} (DATA_DIR) to back up.`);
  const db = await openDb({ dataDir }); // takes the directory's lock: refused while the app runs
  try {
    const facts = await readFacts(db);
    const blob = await db.dumpDataDir!();
    await Deno.writeFile(file, blob.stream());
    const [{ version }] = await db.sql<{ version: string }[]>`select version()`;
    const server = /^PostgreSQL [\d.]+ \(PGlite [\d.]+\)/.exec(version)?.[0] ?? version;
    return { facts, tool: "PGlite dumpDataDir (gzip)", server };
  } finally {
    await db.close();
  }
}

/** The facts of a database at one moment (a read-only repeatable-read transaction). */
export async function readFacts(db: Db): Promise<DatabaseFacts> {
  return await db.tx(async (tx) => {
    await tx`set transaction isolation level repeatable read, read only`;
    return await databaseFacts(tx);
  });
}
