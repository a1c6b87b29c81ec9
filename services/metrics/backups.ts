/**
 * `proptrade_backup_last_success_timestamp_seconds`: when the newest complete backup was made, read from the
 * backup target on scrape (cached a minute). `deno task backup` is a short-lived command with no scraper of
 * its own, so the serving app reports what it finds where backups are kept; the `BackupTooOld` alert reads it.
 * No complete backup (or an unreadable target) → 0, so the age alert fires rather than staying silent.
 */
import { Gauge, type Registry } from "prom-client";
import type { Deps } from "../deps.ts";
import { backupTarget } from "../backup/command.ts";

const CACHE_MS = 60_000;

/** The newest backup's time in epoch seconds, or null when there is none (or the target cannot be read). */
export async function lastBackupSeconds(config: Deps["config"]): Promise<number | null> {
  try {
    const backups = await backupTarget(config).list();
    const newest = backups.at(-1);
    return newest ? Date.parse(newest.createdAt) / 1000 : null;
  } catch {
    // An unreadable target is reported as "no backup": the age alert fires, which is what an operator needs.
    return null;
  }
}

/** The backup gauge of one app's configuration, in `into`. */
export function backupMetrics(deps: Pick<Deps, "config">, into: Registry): void {
  let cached: { at: number; seconds: Promise<number | null> } | null = null;
  new Gauge({
    name: "proptrade_backup_last_success_timestamp_seconds",
    help: "When the newest complete backup in the backup target was made (Unix seconds).",
    registers: [into],
    async collect() {
      if (!cached || performance.now() - cached.at >= CACHE_MS) {
        cached = { at: performance.now(), seconds: lastBackupSeconds(deps.config) };
      }
      const seconds = await cached.seconds;
      this.set(seconds ?? 0);
    },
  });
}
