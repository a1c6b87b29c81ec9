/**
 * Scheduled backups (a leader job, services/cluster/leader_jobs.ts): with BACKUP_EVERY_HOURS set and a
 * PostgreSQL database, the leader checks every 10 minutes whether the newest complete backup in the target is
 * older than that and, if so, writes one (`createBackup`, the same as `deno task backup`, retention
 * included). Reading the target's newest backup rather than keeping a timer means a new leader after a
 * hand-over neither repeats a fresh backup nor waits a whole period. The embedded database cannot be backed up
 * while the app runs (README, Backups), so it is never scheduled.
 */
import type { Deps } from "../deps.ts";
import { reportTo } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { createBackup } from "../backup/backup.ts";
import { backupTarget } from "../backup/command.ts";
import { lastBackupSeconds } from "../metrics/backups.ts";

const CHECK_MS = 10 * 60_000;

/** Whether a backup is due at `nowMs`: none yet, or the newest (Unix seconds) is `everyHours` old or more. */
export function backupDue(lastSeconds: number | null, nowMs: number, everyHours: number): boolean {
  return lastSeconds === null || nowMs - lastSeconds * 1000 >= everyHours * 3_600_000;
}

/** Starts the schedule (a no-op without BACKUP_EVERY_HOURS or without DATABASE_URL); returns `stop`. */
export function startBackupSchedule(
  deps: Pick<Deps, "config">,
  opts: { checkMs?: number; now?: () => number } = {},
): () => Promise<void> {
  const { config } = deps;
  const everyHours = config.backup.everyHours;
  if (!everyHours || !config.databaseUrl) return () => Promise.resolve();
  const log = reportTo("backup");
  const now = opts.now ?? Date.now;
  return startPeriodic(async () => {
    if (!backupDue(await lastBackupSeconds(config), now(), everyHours)) return;
    const { manifest, pruned } = await createBackup({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      target: backupTarget(config),
      policy: config.backup,
    });
    console.log(`Scheduled backup written: ${manifest.file} (pruned ${pruned.length})`);
  }, { intervalMs: opts.checkMs ?? CHECK_MS, log, failure: "scheduled backup failed; retrying" });
}
