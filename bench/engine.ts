/**
 * Engine benchmark (DESIGN §5, issue 4): prints figures, asserts nothing.
 *
 * 1. Sync throughput — events/s evaluated + persisted + published over `--accounts` active accounts
 *    (target ≥ 10,000 events/s on 2 cores), through the real live path `applySync` (lock, dedupe, evaluate,
 *    persist in one transaction, publish after commit):
 *    - in-process: `--concurrency` workers call `applySync` directly (this process holds the pool and bus);
 *    - HTTP: the same load as signed `POST /api/trading/demo-sync` requests to the real app running as its
 *      own process (bench/engine_server.ts, Deno.serve, reset scheduler on), over keep-alive connections;
 *    for each `--batch` size: events/s, batches/s, p50/p99 per batch, CPU of each process.
 * 2. Sync → SSE latency — `--subscribers` accounts each hold one `GET /api/accounts/:id/stream` (as their
 *    owner, or as a support user with `--staff`), read in a worker thread over raw TCP like an EventSource;
 *    while background sync load runs over all accounts (paced at each `--sse-rate` events/s; 0 = as fast as
 *    `--concurrency` allows), every batch sent to a subscribed account is a probe: from the start of its POST
 *    to the arrival of the `change` frame with the version the response reported (target p99 ≤ 50 ms).
 *
 * Load: each account runs a small trader simulation — a position opened now and then, equity marks that
 * random-walk with a pull back to the initial balance, closes realizing the floating P&L minus costs — on an
 * FTMO-style 100K plan (5 % daily loss on equity, 10 % static max loss, 10 % target after 4 trading days),
 * so accounts stay active; a `--breach` fraction get one equity mark far below the daily floor once (they
 * fail; their later events are still recorded, as for a venue's liquidation). Event times are the real
 * clock (strictly increasing per account), so the reset scheduler and the 5-minute skew check see real data.
 *
 * Data: with DATABASE_URL, a scratch schema on that server (migrated, dropped at the end: nothing touches the
 * public schema); without, embedded PGlite (one in this process, one in the app's). REDIS_URL: the Redis
 * bus; without, the in-process bus. The output says which.
 *
 * Parts: this file reads the flags, sets up the database and bus, runs the phases and prints the summary;
 * engine_traders.ts simulates the traders, engine_load.ts sends their batches (in-process or HTTP),
 * engine_latency.ts runs the SSE probes, engine_cpu.ts accounts CPU per process, engine_report.ts prints;
 * engine_server.ts is the app process and engine_sse_worker.ts the subscribers' thread.
 *
 * Usage: deno task bench:engine [--accounts=1000] [--seconds=8] [--warmup=1] [--batch=1,10,50]
 *   [--concurrency=16] [--pool=10] [--subscribers=500] [--sse-rate=5000,0] [--sse-batch=10] [--breach=0.01]
 *   [--only=inproc,http,sse,floor] [--staff] [--anchor-seconds=15] [--anchor-clients=16]
 * Anchor: with DATABASE_URL, `pgbench -N` runs first on the same server (engine_anchor.ts) and every throughput
 * figure is also printed as a ratio to its tps, with the server's CPU per batch (`--anchor-seconds=0`: skip).
 * `--only=floor` adds the ingest floor (bench/engine_floor_server.ts): the same HTTP load against a process
 * that does only the least work any signed demo-sync design must do — what the budget could reach at all here.
 * Lists (comma-separated) run one measurement per value. The default run takes ≈ 80 s on 2 cores.
 */
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { type Bus, createBus } from "../services/bus/mod.ts";
import { toHex } from "../lib/crypto.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { type CpuScope, cpuSnapshot, cpuUsage, machineCores } from "./engine_cpu.ts";
import { type AppSetup, latencyPhase } from "./engine_latency.ts";
import { httpSender, inProcessSender, runLoad, type Sender, sleep } from "./engine_load.ts";
import { EngineReport, type ThroughputRow } from "./engine_report.ts";
import { measureAnchor } from "./engine_anchor.ts";
import { createBenchAccounts, EngineServer } from "./engine_server.ts";
import { FloorServer } from "./engine_floor_server.ts";
import { type AccountSim, makeSims } from "./engine_traders.ts";
import { benchFlags, flag, refuse } from "./flags.ts";
import { writeGroupStats } from "../services/accounts/sync_group.ts";

// ---------------------------------------------------------------------------------------------- flags

const flags = benchFlags({
  accounts: flag.number(1000),
  seconds: flag.number(8),
  warmup: flag.number(1),
  batch: flag.numbers([1, 10, 50]),
  concurrency: flag.numbers([16]),
  pool: flag.number(10),
  subscribers: flag.number(500),
  "sse-rate": flag.numbers([5000, 0]),
  "sse-batch": flag.number(10),
  breach: flag.number(0.01),
  only: flag.someOf(["inproc", "http", "sse", "floor"]),
  staff: flag.boolean(),
  "anchor-seconds": flag.number(15),
  "anchor-clients": flag.number(16),
});
const ACCOUNTS = flags.accounts;
const SECONDS = flags.seconds;
const WARMUP = flags.warmup;
const BATCHES = flags.batch;
const CONCURRENCY = flags.concurrency;
const POOL = flags.pool;
const SUBSCRIBERS = Math.min(flags.subscribers, ACCOUNTS);
const SSE_RATES = flags["sse-rate"];
const SSE_BATCH = flags["sse-batch"];
const BREACH = flags.breach;
const ONLY = new Set(flags.only);
const STAFF = flags.staff;
const ANCHOR_SECONDS = flags["anchor-seconds"];
const ANCHOR_CLIENTS = flags["anchor-clients"];

for (const name of ["accounts", "seconds", "pool", "sse-batch"] as const) {
  if (!(flags[name] > 0)) refuse(`--${name} must be > 0`);
}

const DATABASE_URL = Deno.env.get("DATABASE_URL") || undefined;
const REDIS_URL = Deno.env.get("REDIS_URL") || undefined;

/** The application_name of every connection the benchmark opens, to tell its backends from others'. */
const APP_NAME = `bench-engine-${crypto.randomUUID().slice(0, 8)}`;

// ------------------------------------------------------------------------------------------- phases

/** Statements this process has sent (the in-process figures divide them by their batches). */
let statementsSent = 0;
const countStatement = () => void statementsSent++;

/** What every phase reports to and counts CPU against. */
interface Run {
  report: EngineReport;
  cpu: CpuScope;
}

/** A process's group-write totals (services/accounts/sync_group.ts `writeGroupStats`). */
type GroupTotals = ReturnType<typeof writeGroupStats>;

/** The group writes between two totals: mean batches per statement, and the write path's busy share. */
function groupsOf(a: GroupTotals, b: GroupTotals, seconds: number): ThroughputRow["groups"] {
  const groups = b.groups - a.groups;
  if (groups <= 0) return null;
  return { size: (b.batches - a.batches) / groups, busy: (b.busyMs - a.busyMs) / (seconds * 1000) };
}

/** One throughput figure per `--batch` × `--concurrency`, each after a warm-up of the same load. */
async function throughputPhase(
  run: Run,
  path: ThroughputRow["path"],
  sims: AccountSim[],
  send: Sender,
  appPid: number | null,
  groupStats: () => Promise<GroupTotals>,
): Promise<void> {
  for (const batch of BATCHES) {
    for (const concurrency of CONCURRENCY) {
      const spec = { sims, batch, concurrency, seconds: SECONDS, rate: 0, send };
      if (WARMUP > 0) await runLoad({ ...spec, seconds: WARMUP, onDone: undefined });
      const groupsBefore = await groupStats();
      const before = cpuSnapshot();
      const sent = statementsSent;
      const stats = await runLoad(spec);
      const after = cpuSnapshot();
      const groupsAfter = await groupStats();
      const statements = path === "in-process" ? (statementsSent - sent) / stats.batches : null;
      const cpu = await cpuUsage(run.cpu, before, after, appPid);
      const groups = groupsOf(groupsBefore, groupsAfter, stats.seconds);
      run.report.addThroughput({ path, batch, concurrency, stats, cpu, statements, groups });
    }
  }
}

async function inProcessPhase(run: Run, db: Db, bus: Bus): Promise<void> {
  const t0 = performance.now();
  const { accountIds } = await createBenchAccounts(
    db,
    ACCOUNTS,
    new Date(),
    db.kind === "embedded" ? 1 : POOL,
  );
  console.log(
    `\n[in-process] ${ACCOUNTS} accounts opened in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `applySync with db pool ${db.kind === "embedded" ? "1 (PGlite)" : POOL}, bus ${bus.kind}`,
  );
  const sims = makeSims(accountIds, SECONDS, BREACH);
  await throughputPhase(
    run,
    "in-process",
    sims,
    inProcessSender({ db, bus }),
    null,
    () => Promise.resolve(writeGroupStats()),
  );
}

/** The ingest floor (bench/engine_floor_server.ts): the least work any signed demo-sync design must do. */
async function floorPhase(run: Run, schemaUrl: string | undefined): Promise<void> {
  if (!schemaUrl) return run.report.note("no floor figure: it needs DATABASE_URL");
  const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const server = await FloorServer.spawn({
    DATABASE_URL: schemaUrl,
    ...(REDIS_URL ? { REDIS_URL } : {}),
    SYNC_SECRET: secret,
    DATABASE_POOL_MAX: String(POOL),
  });
  try {
    const { accountIds } = await server.command<{ accountIds: string[] }>({
      cmd: "setup",
      accounts: ACCOUNTS,
    });
    console.log(
      `\n[floor] least work per signed batch (verify, parse, validate, evaluate, one row per batch, publish), ` +
        `pid ${server.pid}, port ${server.port}`,
    );
    const groups = () =>
      server.command<{ writeGroups: GroupTotals }>({ cmd: "stats" }).then((s) => s.writeGroups);
    const sims = makeSims(accountIds, SECONDS, 0);
    await throughputPhase(run, "floor", sims, httpSender(server.port, secret), server.pid, groups);
  } finally {
    await server.close();
  }
}

async function httpPhases(run: Run, server: EngineServer, secret: string): Promise<void> {
  const needSse = ONLY.has("sse");
  const t0 = performance.now();
  const setup = await server.command<AppSetup>({
    cmd: "setup",
    accounts: ACCOUNTS,
    sessions: needSse && !STAFF ? SUBSCRIBERS : 0,
    staff: needSse && STAFF,
  });
  console.log(
    `\n[app] ${ACCOUNTS} accounts opened in the app's database in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s ` +
      `(app: ${server.info.db}, bus ${server.info.bus}, db pool ${server.info.db === "embedded" ? 1 : POOL})`,
  );
  const sims = makeSims(setup.accountIds, SECONDS, BREACH);
  const send = httpSender(server.port, secret);

  if (ONLY.has("http")) {
    console.log(`[HTTP] POST /api/trading/demo-sync, signed, keep-alive`);
    const appGroups = () =>
      server.command<{ writeGroups: GroupTotals }>({ cmd: "stats" }).then((s) => s.writeGroups);
    await throughputPhase(run, "HTTP", sims, send, server.pid, appGroups);
  }
  if (needSse) {
    await latencyPhase(server, sims, send, setup, {
      subscribers: SUBSCRIBERS,
      staff: STAFF,
      rates: SSE_RATES,
      batch: SSE_BATCH,
      concurrency: Math.max(...CONCURRENCY),
      seconds: SECONDS,
      warmup: WARMUP,
      cpu: run.cpu,
      report: run.report,
    });
  }
}

// --------------------------------------------------------------------------------------------- main

async function demoSyncRateLimit(): Promise<string> {
  try {
    const { api } = await import("../routes/api/trading/demo-sync.ts");
    return (api.POST as { rateLimit?: string }).rateLimit ?? "ip";
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      await fn().catch((error) => console.error("cleanup failed:", error));
    }
  };
  const onSignal = () => {
    console.error("\ninterrupted: cleaning up");
    cleanup().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);

  const context: string[] = [];
  const report = new EngineReport();
  try {
    const cores = navigator.hardwareConcurrency;
    let schemaUrl: string | undefined;
    let db: Db;
    if (DATABASE_URL) {
      const schema = uniqueSchemaName("bench_engine");
      const named = new URL(DATABASE_URL);
      named.searchParams.set("application_name", APP_NAME);
      db = await openDb({ url: named.href, schema, poolMax: POOL, onQuery: countStatement });
      cleanups.push(async () => {
        try {
          await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
        } finally {
          await db.close();
        }
      });
      await migrate(db);
      const url = new URL(named);
      url.searchParams.set("search_path", schema);
      schemaUrl = url.href;
      context.push(
        `database: PostgreSQL ${url.host}${url.pathname}, scratch schema ${schema} (dropped at the end)`,
      );
    } else {
      const dir = await Deno.makeTempDir({ prefix: "bench-engine-" });
      db = await openDb({ dataDir: dir, onQuery: countStatement });
      cleanups.push(async () => {
        await db.close();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      });
      await migrate(db);
      context.push("database: DATABASE_URL not set → embedded PGlite (one per process, one connection each)");
    }
    const run: Run = {
      report,
      cpu: { db, appName: APP_NAME, postgres: DATABASE_URL !== undefined, redis: REDIS_URL !== undefined },
    };
    const bus = await createBus({ redisUrl: REDIS_URL });
    cleanups.push(() => bus.close());
    context.push(
      REDIS_URL ? `bus: Redis ${new URL(REDIS_URL).host}` : "bus: REDIS_URL not set → in-process bus",
    );
    const rateLimit = await demoSyncRateLimit();
    context.push(
      `machine: ${cores} core(s), Deno ${Deno.version.deno}; ${ACCOUNTS} accounts, ${SECONDS} s per figure ` +
        `(+${WARMUP} s warm-up), ${BREACH * 100}% of accounts breach once`,
    );
    context.push(
      `demo-sync rate limit: ${
        rateLimit === "self" ? 'route declares rateLimit "self"' : "per-IP API budget"
      }` +
        ` (requests sent from distinct X-Forwarded-For addresses either way; app runs with TRUST_PROXY)`,
    );
    // Other sessions' load before the start, so a reader can tell a slow machine from a slow engine.
    const idle = cpuSnapshot();
    await sleep(1000);
    const busy = machineCores(idle, cpuSnapshot());
    if (busy !== null) {
      context.push(
        `machine busy before the start: ${busy.toFixed(2)} cores (other sessions' work; "other" in the CPU ` +
          `figures is everything that is not this benchmark, its app, PostgreSQL or Redis)`,
      );
    }
    console.log(context.join("\n"));

    if (DATABASE_URL && ANCHOR_SECONDS > 0) {
      console.log(`\n[anchor] pgbench -N -c ${ANCHOR_CLIENTS} for ${ANCHOR_SECONDS} s in a scratch database`);
      report.setAnchor(
        await measureAnchor(db, DATABASE_URL, { clients: ANCHOR_CLIENTS, seconds: ANCHOR_SECONDS }),
      );
    } else if (!DATABASE_URL) {
      report.note("no pgbench anchor: embedded PGlite has no pgbench (set DATABASE_URL for the ratios)");
    }

    if (ONLY.has("inproc")) await inProcessPhase(run, db, bus);

    if (ONLY.has("floor")) await floorPhase(run, schemaUrl);

    if (ONLY.has("http") || ONLY.has("sse")) {
      const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
      const t0 = performance.now();
      const server = await EngineServer.spawn({
        ...(schemaUrl ? { DATABASE_URL: schemaUrl } : {}),
        ...(REDIS_URL ? { REDIS_URL } : {}),
        SYNC_SECRET: secret,
        DATABASE_POOL_MAX: String(POOL),
      });
      cleanups.push(() => server.close());
      console.log(
        `\n[app] started in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s (pid ${server.pid}, port ${server.port})`,
      );
      await httpPhases(run, server, secret);
    }
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  report.printSummary(context);
}

await main();
