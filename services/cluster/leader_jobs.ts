/**
 * Work that must run once per deployment, not once per app process: the schedulers, the venue's tick-level
 * marker and the housekeeping loops. Every serving process takes part in one election (a session-level
 * PostgreSQL advisory lock on a dedicated connection, services/venue/leader.ts, with a lock class of its own);
 * the winner starts every job of {@link LEADER_JOBS}, the others follow. A leader that dies (kill -9, lost
 * connection) ends its session, which frees the lock: a follower takes it at its next try (every
 * `retryMs`, default 1 s), so the jobs resume within a few seconds. The embedded database serves one process,
 * which always leads.
 *
 * The simulated price feed elects its own leader (services/venue/feed.ts, lock class "PRFD"): it was gated
 * before this module existed and its own test pins that. Everything per-process stays per-process: the
 * bus-lag probe, stream guards, the monitor hub, each process following prices into its own book.
 */
import { Gauge } from "prom-client";
import type { Deps } from "../deps.ts";
import { reportTo } from "../log.ts";
import { registry } from "../metrics/registry.ts";
import { startLeaderElection } from "../venue/leader.ts";
import { startResetScheduler } from "../accounts/scheduler.ts";
import { startOrderExpiry } from "../commerce/expiry.ts";
import { startNotificationMailer } from "../notifications/mail.ts";
import { VenueMarker } from "../venue/marker.ts";
import { startRetention } from "../privacy/prune.ts";
import { startPriceRetention } from "../venue/retention.ts";
import { startBackupSchedule } from "./backup_schedule.ts";

/** First half of the cluster leader's advisory-lock key ("PRLD"). */
export const CLUSTER_LOCK_CLASS = 0x50524c44;

/** One job the leader runs: `start` begins it and resolves to the function that stops it. */
export interface LeaderJob {
  name: string;
  start(deps: Deps): Promise<() => Promise<void>> | (() => Promise<void>);
}

/** Every job that runs once per cluster, in start order (stopped in reverse). */
export const LEADER_JOBS: readonly LeaderJob[] = [
  // Daily resets roll whether or not events arrive (SKIP LOCKED keeps a hand-over overlap harmless).
  { name: "reset-scheduler", start: (deps) => startResetScheduler(deps, { intervalMs: 1000 }) },
  // Unpaid orders past their payment window are marked expired.
  { name: "order-expiry", start: (deps) => startOrderExpiry(deps) },
  // Notification mail (the outbox), claimed row by row with SKIP LOCKED.
  { name: "notification-mail", start: (deps) => startNotificationMailer(deps) },
  // Tick-level checks: every process's book gets the ticks over the bus, one marks them.
  {
    name: "venue-marker",
    start: async (deps) => {
      const marker = new VenueMarker(deps);
      await marker.start();
      return () => marker.stop();
    },
  },
  // The periods of services/retention.ts (sessions, audit log, outbox, KYC documents), hourly.
  { name: "privacy-retention", start: (deps) => startRetention(deps) },
  // Old venue ticks and bars, hourly.
  { name: "price-retention", start: (deps) => startPriceRetention(deps.db, { log: reportTo("prices") }) },
  // Scheduled backups when BACKUP_EVERY_HOURS is set (PostgreSQL only).
  { name: "backup", start: (deps) => startBackupSchedule(deps) },
];

/** The jobs running in this process now (exported as `proptrade_leader_job{job}`). */
const running = new Set<string>();

new Gauge({
  name: "proptrade_leader_job",
  help: "1 for each cluster-wide job this process runs now (it leads); a follower reports 0 for every job.",
  labelNames: ["job"],
  registers: [registry],
  collect() {
    this.reset();
    for (const job of LEADER_JOBS) this.set({ job: job.name }, running.has(job.name) ? 1 : 0);
  },
});

export interface ClusterLeadership {
  /** Whether this process leads (runs the jobs) now. */
  readonly leading: boolean;
  /** Stops the jobs (if leading), frees the lock and stops trying. */
  stop(): Promise<void>;
}

/** Who leads, at info: through the logger, so a JSON line in production (README, Logs). */
const announce = reportTo("cluster", "info");

/** Joins the election; while elected, runs `jobs` (default {@link LEADER_JOBS}). */
export function startLeaderJobs(
  deps: Deps,
  opts: { retryMs?: number; jobs?: readonly LeaderJob[]; log?: (message: string, error?: unknown) => void } =
    {},
): ClusterLeadership {
  const log = opts.log ?? reportTo("cluster");
  const jobs = opts.jobs ?? LEADER_JOBS;
  const leadership = startLeaderElection(deps.db, {
    lockClass: CLUSTER_LOCK_CLASS,
    retryMs: opts.retryMs ?? 1000,
    log,
    lead: async () => {
      const stops: { name: string; stop: () => Promise<void> }[] = [];
      const stopAll = async () => {
        for (const { name, stop } of stops.splice(0).reverse()) {
          await stop().catch((error) => log(`stopping leader job ${name} failed`, error));
          running.delete(name);
        }
      };
      try {
        for (const job of jobs) {
          stops.push({ name: job.name, stop: await job.start(deps) });
          running.add(job.name);
        }
      } catch (error) {
        await stopAll();
        throw error;
      }
      announce(`Cluster leader (pid ${Deno.pid}): running ${jobs.map((j) => j.name).join(", ")}`);
      return async () => {
        announce(`Cluster leader (pid ${Deno.pid}): stepping down`);
        await stopAll();
      };
    },
  });
  return {
    get leading() {
      return leadership.leading;
    },
    stop: () => leadership.stop(),
  };
}
