/**
 * The operator's side of backups, as fresh.config.ts runs them: `backup` and `restore <file> [--force]`.
 * They open the database themselves (not the app's services), so in embedded mode nothing else holds it.
 */
import type { Config } from "../config.ts";
import { createStore } from "../storage/mod.ts";
import { createBackup } from "./backup.ts";
import type { Manifest } from "./manifest.ts";
import { restoreBackup } from "./restore.ts";
import { type BackupTarget, dirTarget, storeTarget } from "./target.ts";
import { openDb } from "../../db/client.ts";
import { checkDataKeys, KeyMismatch } from "../key_check.ts";
import { twoFactorKeysOf } from "../auth/two_factor_keys.ts";
import { kycKeyRing } from "../kyc/files.ts";

/** The configured place for backups: `BACKUP_DIR` (default `DATA_DIR/backups`) or the S3 bucket. */
export function backupTarget(config: Config & { jwtSecret: string }): BackupTarget {
  if (config.backup.target === "dir" || !config.s3) return dirTarget(config.backup.dir);
  return storeTarget(
    createStore({
      s3: config.s3,
      dataDir: config.dataDir,
      appUrl: config.appUrl,
      signingSecret: config.jwtSecret,
    }),
  );
}

export async function backupCommand(config: Config & { jwtSecret: string }): Promise<void> {
  const target = backupTarget(config);
  const { manifest, pruned } = await createBackup({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    target,
    policy: config.backup,
  });
  console.log(`Backup written to ${target.where}: ${manifest.file}\n  ${describe(manifest)}`);
  console.log(
    pruned.length
      ? `Pruned ${pruned.length} older backup(s) (keep ${config.backup.keep}, at most ${config.backup.maxAgeDays} days): ${
        pruned.join(", ")
      }`
      : `Nothing to prune (keep ${config.backup.keep}, at most ${config.backup.maxAgeDays} days).`,
  );
}

export async function restoreCommand(config: Config & { jwtSecret: string }, args: string[]): Promise<void> {
  const force = args.includes("--force");
  const files = args.filter((a) => a !== "--force");
  if (files.length !== 1 || files[0].startsWith("-")) {
    throw new Error("usage: deno task restore <backup file or name> [--force]");
  }
  const { manifest } = await restoreBackup({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    file: files[0],
    target: backupTarget(config),
    force,
  });
  console.log(
    `Restored ${manifest.file} into ${
      config.databaseUrl ? "the database at DATABASE_URL" : config.dataDir
    }.\n` +
      `  Verified: ${describe(manifest)}`,
  );
  // Said now rather than at the next start, which refuses such data (services/key_check.ts).
  const db = await openDb(
    config.databaseUrl ? { url: config.databaseUrl, poolMax: 1 } : { dataDir: config.dataDir },
  );
  try {
    await checkDataKeys(db.sql, {
      totp: await twoFactorKeysOf(config),
      kycRing: config.kycEncryptionKey ? await kycKeyRing(config) : null,
    });
  } catch (error) {
    if (!(error instanceof KeyMismatch)) throw error;
    console.warn(`Warning: the app will not start on this data with the keys it has now.\n${error.message}`);
  } finally {
    await db.close();
  }
}

function describe(m: Manifest): string {
  const rows = Object.values(m.rowCounts).reduce((a, b) => a + b, 0);
  const mb = (m.size / 1_048_576).toFixed(1);
  return `${m.kind}, ${mb} MB, sha256 ${m.sha256.slice(0, 16)}…, schema ${m.schemaVersion}, ` +
    `${Object.keys(m.rowCounts).length} tables / ${rows} rows, ledger ${m.ledger.sha256.slice(0, 16)}… ` +
    `(${m.ledger.tables.join(", ")})`;
}
