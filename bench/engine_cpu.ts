/**
 * CPU accounting for the engine benchmark (bench/engine.ts): who used the machine's cores during a
 * measurement — this process, the app process, PostgreSQL, Redis, and everything else (other sessions' work
 * on a shared machine, which makes the figures noisy and is shown so a reader can discount it).
 *
 * Read from /proc (Linux); elsewhere every reading is null and prints as "n/a".
 */
import type { Db } from "../db/client.ts";

// /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 a second for userspace.
const CLK_TCK = 100;

type Procs = Map<number, { comm: string; ticks: number }>;

/** The machine's and every process's CPU time at one moment. */
export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  procs: Procs;
}

/**
 * Cores used over the interval: this process, the app process, PostgreSQL (our backends plus its shared
 * background processes, when local), Redis, everything else on the machine (other sessions' work: noise in
 * the figures), and the whole machine.
 */
export interface CpuUsage {
  bench: number;
  app: number | null;
  postgres: number | null;
  /** Of `postgres`: the benchmark's own backends only (without the server's background processes). */
  postgresBackends: number | null;
  redis: number | null;
  other: number;
  machine: number;
}

/** What the benchmark runs on, so that only its own servers are counted as such. */
export interface CpuScope {
  /** The benchmark's connection, to ask pg_stat_activity which backends are whose. */
  db: Db;
  /** The application_name of every connection the benchmark (both processes) opens. */
  appName: string;
  /** PostgreSQL is in use (DATABASE_URL): a local server of another kind must not be counted as ours. */
  postgres: boolean;
  /** Redis is in use (REDIS_URL). */
  redis: boolean;
}

/** What `cpuUsage` needs to know about PostgreSQL's processes: whose backend each one is. */
interface PgPids {
  /** Backends of this benchmark (both processes) and the server's own background processes. */
  ours: Set<number>;
  /** Backends of this benchmark only. */
  backends: Set<number>;
  /** Every process pg_stat_activity lists (the rest are the postmaster and its helpers). */
  listed: Set<number>;
}

function readProcs(): Procs {
  const procs: Procs = new Map();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // comm may itself contain spaces and parentheses: it spans from the first "(" to the last ")".
      const open = stat.indexOf("(");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(open + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      procs.set(Number(entry.name), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch { /* gone */ }
  }
  return procs;
}

/** The machine's and every process's CPU time now; null where /proc is not available (not Linux). */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = line[3] + line[4];
    return { at: performance.now(), machine: { busy: total - idle, total }, procs: readProcs() };
  } catch {
    return null; // not Linux
  }
}

/** The whole machine's busy cores between two snapshots (null if either is missing). */
export function machineCores(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b) return null;
  return ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) *
    (navigator.hardwareConcurrency || 1);
}

async function pgPids(db: Db, appName: string): Promise<PgPids | null> {
  if (db.kind !== "postgres") return null;
  const rows = await db.sql<{ pid: number; ours: boolean; backend: boolean }[]>`
    select pid, (application_name = ${appName} or backend_type <> 'client backend') as ours,
           application_name = ${appName} as backend
    from pg_stat_activity`;
  return {
    ours: new Set(rows.filter((r) => r.ours).map((r) => r.pid)),
    backends: new Set(rows.filter((r) => r.backend).map((r) => r.pid)),
    listed: new Set(rows.map((r) => r.pid)),
  };
}

/** Cores used between snapshots `a` and `b` by each party (`appPid`: the app process, if one runs). */
export async function cpuUsage(
  scope: CpuScope,
  a: CpuSnapshot | null,
  b: CpuSnapshot | null,
  appPid: number | null,
): Promise<CpuUsage | null> {
  const pg = await pgPids(scope.db, scope.appName);
  const machine = machineCores(a, b);
  if (!a || !b || machine === null) return null;
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => ticks / CLK_TCK / seconds;
  const sum = (match: (pid: number, comm: string) => boolean): number | null => {
    let ticks = 0;
    let seen = false;
    for (const [pid, p] of b.procs) {
      if (!match(pid, p.comm)) continue;
      seen = true;
      ticks += p.ticks - (a.procs.get(pid)?.ticks ?? 0);
    }
    return seen ? cores(ticks) : null;
  };
  const bench = sum((pid) => pid === Deno.pid) ?? 0;
  const app = appPid === null ? null : sum((pid) => pid === appPid);
  // Only when the benchmark uses them: a local server of another kind must not be counted as ours.
  const postgres = scope.postgres
    ? sum((pid, comm) => comm === "postgres" && (pg === null || pg.ours.has(pid) || !pg.listed.has(pid)))
    : null;
  const postgresBackends = scope.postgres && pg ? sum((pid) => pg.backends.has(pid)) : null;
  const redis = scope.redis ? sum((_, comm) => comm === "redis-server") : null;
  const other = Math.max(0, machine - bench - (app ?? 0) - (postgres ?? 0) - (redis ?? 0));
  return { bench, app, postgres, postgresBackends, redis, other, machine };
}

/** One usage as `bench 0.48 / pg 0.53 / … / all 1.96`, leaving out parties that did not run. */
export function cpuText(c: CpuUsage | null): string {
  return c
    ? [
      `bench ${c.bench.toFixed(2)}`,
      c.app === null ? null : `app ${c.app.toFixed(2)}`,
      c.postgres === null ? null : `pg ${c.postgres.toFixed(2)}`,
      c.redis === null ? null : `redis ${c.redis.toFixed(2)}`,
      `other ${c.other.toFixed(2)}`,
      `all ${c.machine.toFixed(2)}`,
    ].filter(Boolean).join(" / ")
    : "n/a";
}
