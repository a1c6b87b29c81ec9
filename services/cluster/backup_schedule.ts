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
 *
 * The lock lives as long as its connection: if that drops mid-backup the server frees it without a word and
 * the connection's pool reconnects to a new session that does not hold it. So, like the leader election, the
 * backup watches its session's pid: every second during the dump (a lost lock stops pg_dump), and once more
 * before the backup is filed. A backup that lost its lock is dropped, not filed: another process may be
 * writing one, and the next check finds it or writes it.
 */
import postgres from "postgres";
import type { Deps } from "../deps.ts";
import { reportTo } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { createBackup } from "../backup/backup.ts";
import { backupTarget } from "../backup/command.ts";
import { lastBackupSeconds } from "../metrics/backups.ts";
import { replyWithin } from "../bus/bus.ts";

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
  opts: {
    checkMs?: number;
    now?: () => number;
    /** Where the lock's own connection goes (default DATABASE_URL): tests pass a proxy that can drop it. */
    lockUrl?: string;
  } = {},
): () => Promise<void> {
  const { config } = deps;
  const everyHours = config.backup.everyHours;
  if (!everyHours || !config.databaseUrl) return () => Promise.resolve();
  const log = reportTo("backup");
  const now = opts.now ?? Date.now;
  const due = async () => backupDue(await lastBackupSeconds(config), now(), everyHours);
  return startPeriodic(async () => {
    if (!await due()) return;
    await whileLocked(opts.lockUrl ?? config.databaseUrl!, async (lock) => {
      // Whoever held the lock before us may have just finished one: the target shows it now.
      if (!await due()) return;
      const { manifest, pruned } = await createBackup({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        target: backupTarget(config),
        policy: config.backup,
        signal: lock.signal,
        beforeCommit: lock.assertHeld,
      });
      reportTo("backup", "info")(`Scheduled backup written: ${manifest.file} (pruned ${pruned.length})`);
    });
  }, { intervalMs: opts.checkMs ?? CHECK_MS, log, failure: "scheduled backup failed; retrying" });
}

/** The backup's lock was lost (its session ended) before the backup was filed. */
export class LostBackupLock extends Error {
  override name = "LostBackupLock";
  constructor(cause?: unknown) {
    super(
      "the backup lost its lock (its database session ended mid-backup): this backup is dropped, another process may be writing one",
      { cause },
    );
  }
}

/** What `work` gets: aborted when the lock is seen lost; `assertHeld` checks now, throwing {@link LostBackupLock}. */
export interface HeldLock {
  signal: AbortSignal;
  assertHeld(): Promise<void>;
}

/**
 * Runs `work` holding the backup lock, or skips it when another process holds it (that one is writing the
 * backup). A session lock on a connection of its own, never recycled, rather than a transaction's: a backup
 * can take long, and an idle open transaction could be ended by the server's idle-in-transaction timeout.
 * Closing the connection frees the lock whatever happened. The session's pid is checked every `watchMs`
 * while `work` runs (a new pid: the pool reconnected, the lock is gone) and on `assertHeld`.
 */
export async function whileLocked(
  url: string,
  work: (lock: HeldLock) => Promise<void>,
  watchMs = 1000,
): Promise<void> {
  const client = postgres(url, { max: 1, max_lifetime: null, onnotice: () => {} });
  try {
    const [{ locked, pid }] = await client<{ locked: boolean; pid: number }[]>`
      select pg_try_advisory_lock(${BACKUP_LOCK_CLASS}::int, 0) as locked, pg_backend_pid() as pid`;
    if (!locked) return;
    const lost = new AbortController();
    const assertHeld = async () => {
      if (lost.signal.aborted) throw lost.signal.reason;
      let now: number | undefined;
      let failure: unknown;
      try {
        // A silent server (a network black hole) counts as lost too, rather than holding the backup forever.
        [{ pid: now }] = await replyWithin(
          client<{ pid: number }[]>`select pg_backend_pid() as pid`,
          10_000,
          "the database (backup lock)",
        );
      } catch (error) {
        failure = error;
      }
      // Aborted meanwhile by the watch: its reason stands.
      if (lost.signal.aborted) throw lost.signal.reason;
      if (now !== pid) {
        lost.abort(new LostBackupLock(failure));
        throw lost.signal.reason;
      }
    };
    let checking = false;
    const watch = setInterval(() => {
      if (checking || lost.signal.aborted) return;
      checking = true;
      assertHeld().catch(() => {}).finally(() => checking = false);
    }, watchMs);
    try {
      await work({ signal: lost.signal, assertHeld });
    } finally {
      clearInterval(watch);
    }
  } finally {
    await client.end();
  }
}
