/**
 * Scheduled backups (a leader job, services/cluster/leader_jobs.ts): with BACKUP_EVERY_HOURS set and a
 * PostgreSQL database, the leader checks every 10 minutes whether the newest complete backup in the target is
 * older than that and, if so, writes one (`createBackup`, the same as `deno task backup`, retention
 * included). Reading the target's newest backup rather than keeping a timer means a new leader after a
 * hand-over neither repeats a fresh backup nor waits a whole period. The embedded database cannot be backed up
 * while the app runs (README, Backups), so it is never scheduled.
 *
 * At a hand-over two processes run the schedule for a while: the new leader ticks at once, and a backup the
 * old one has in progress runs to its end (stopping waits for it). The target shows only complete backups, so
 * both would find one due and dump the database twice at once. A backup is therefore written only under an
 * advisory lock of its own (`BACKUP_LOCK_CLASS`), and "due" is read again once it is held.
 */
import postgres from "postgres";
import type { Deps } from "../deps.ts";
import { reportTo } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { createBackup } from "../backup/backup.ts";
import { backupTarget } from "../backup/command.ts";
import { lastBackupSeconds } from "../metrics/backups.ts";

const CHECK_MS = 10 * 60_000;

/** First half of the scheduled backup's advisory-lock key ("PRBK"); the second is 0: a dump is per database. */
export const BACKUP_LOCK_CLASS = 0x5052424b;

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
  const due = async () => backupDue(await lastBackupSeconds(config), now(), everyHours);
  return startPeriodic(async () => {
    if (!await due()) return;
    await whileLocked(config.databaseUrl!, async () => {
      // Whoever held the lock before us may have just finished one: the target shows it now.
      if (!await due()) return;
      const { manifest, pruned } = await createBackup({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        target: backupTarget(config),
        policy: config.backup,
      });
      reportTo("backup", "info")(`Scheduled backup written: ${manifest.file} (pruned ${pruned.length})`);
    });
  }, { intervalMs: opts.checkMs ?? CHECK_MS, log, failure: "scheduled backup failed; retrying" });
}

/**
 * Runs `work` holding the backup lock, or skips it when another process holds it (that one is writing the
 * backup). A session lock on a connection of its own, never recycled, rather than a transaction's: a backup
 * can take long, and an idle open transaction could be ended by the server's idle-in-transaction timeout.
 * Closing the connection frees the lock whatever happened.
 */
async function whileLocked(url: string, work: () => Promise<void>): Promise<void> {
  const client = postgres(url, { max: 1, max_lifetime: null, onnotice: () => {} });
  try {
    const [{ locked }] = await client<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${BACKUP_LOCK_CLASS}::int, 0) as locked`;
    if (locked) await work();
  } finally {
    await client.end();
  }
}
