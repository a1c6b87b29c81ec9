/**
 * The engine benchmark's anchor (DESIGN §5, issue 15 "Ingest efficiency"): `pgbench -N` on the same PostgreSQL
 * server in the same run, so the ingest figures can be printed as ratios to what this server does for a
 * plain write transaction right now (absolute figures move up to 3× between machines of the same kind).
 *
 * `pgbench -i` fills a private scratch database (created here, dropped at the end), then `pgbench -N -c 16`
 * runs its simple-update transaction (BEGIN; UPDATE accounts; SELECT; INSERT history; END) for `seconds`.
 * The server's CPU is read from /proc over the middle of the run: the pgbench backends plus the server's own
 * background processes (WAL writer, checkpointer...), counted the same way as the engine's figures.
 */
import type { Db } from "../db/client.ts";
import { type CpuSnapshot, cpuSnapshot } from "./engine_cpu.ts";
import { sleep } from "./engine_load.ts";

/** What pgbench did. */
export interface Anchor {
  tps: number;
  clients: number;
  seconds: number;
  /** Server CPU (cores) over the measured window; null where /proc cannot tell. */
  pgCores: number | null;
  /** Server CPU per pgbench transaction, ms (null as above). */
  pgMsPerTx: number | null;
}

const CLK_TCK = 100; // USER_HZ (see engine_cpu.ts)

/**
 * Runs pgbench against the server of `url` (the benchmark's DATABASE_URL) in a scratch database.
 * @throws when pgbench is not installed or fails (the message says which).
 */
export async function measureAnchor(
  db: Db,
  url: string,
  opts: { clients: number; seconds: number },
): Promise<Anchor> {
  const server = new URL(url);
  const name = `bench_anchor_${crypto.randomUUID().slice(0, 8)}`;
  const env = {
    PGHOST: server.hostname,
    PGPORT: server.port || "5432",
    PGUSER: decodeURIComponent(server.username || "postgres"),
    ...(server.password ? { PGPASSWORD: decodeURIComponent(server.password) } : {}),
    PGDATABASE: name,
    PGAPPNAME: name,
  };
  await db.sql.unsafe(`create database "${name}"`);
  try {
    await pgbench(env, ["-i", "-q", "-s", "1"]);
    const run = pgbenchChild(env, ["-N", "-c", String(opts.clients), "-j", "2", "-T", String(opts.seconds)]);
    // The middle of the run: connections are up, and the end's disconnects are not in it.
    const margin = Math.min(2, opts.seconds / 5);
    await sleep(margin * 1000);
    const pids = await serverPids(db, name);
    const before = cpuSnapshot();
    await sleep((opts.seconds - 2 * margin) * 1000);
    const after = cpuSnapshot();
    const out = await run;
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    if (!(tps > 0)) throw new Error(`pgbench printed no tps:\n${out}`);
    const pgCores = serverCores(pids, before, after);
    return {
      tps,
      clients: opts.clients,
      seconds: opts.seconds,
      pgCores,
      pgMsPerTx: pgCores === null ? null : (pgCores * 1000) / tps,
    };
  } finally {
    await db.sql.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
  }
}

/** pgbench's backends (by application name) and the server's background processes. */
async function serverPids(db: Db, appName: string): Promise<Set<number>> {
  const rows = await db.sql<{ pid: number }[]>`
    select pid from pg_stat_activity where application_name = ${appName} or backend_type <> 'client backend'`;
  return new Set(rows.map((r) => r.pid));
}

function serverCores(pids: Set<number>, a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b) return null;
  let ticks = 0;
  for (const pid of pids) {
    const end = b.procs.get(pid);
    if (end) ticks += end.ticks - (a.procs.get(pid)?.ticks ?? end.ticks);
  }
  return ticks / CLK_TCK / ((b.at - a.at) / 1000);
}

async function pgbench(env: Record<string, string>, args: string[]): Promise<string> {
  return await pgbenchChild(env, args);
}

function pgbenchChild(env: Record<string, string>, args: string[]): Promise<string> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("pgbench", { args, env, stdout: "piped", stderr: "piped" }).spawn();
  } catch (err) {
    throw new Error(`pgbench could not start (Debian package postgresql-client): ${err}`);
  }
  return child.output().then(({ success, stdout, stderr }) => {
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    if (!success) throw new Error(`pgbench ${args.join(" ")} failed:\n${text}`);
    return text;
  });
}
