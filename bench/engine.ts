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
 * Usage: deno task bench:engine [--accounts=1000] [--seconds=8] [--warmup=1] [--batch=1,10,50]
 *   [--concurrency=16] [--pool=10] [--subscribers=500] [--sse-rate=5000,0] [--sse-batch=10] [--breach=0.01]
 *   [--only=inproc,http,sse] [--staff]
 * Lists (comma-separated) run one measurement per value. The default run takes ≈ 80 s on 2 cores.
 */
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { type Bus, createBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/ledger.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { preciseNow } from "../tests/helpers/child_server.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { createBenchAccounts, EngineServer } from "./engine_server.ts";

// ---------------------------------------------------------------------------------------------- flags

const flags: Record<string, string> = Object.fromEntries(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => {
    const [k, ...v] = a.slice(2).split("=");
    return [k, v.length ? v.join("=") : "true"];
  }),
);
const num = (name: string, dflt: number) => (flags[name] === undefined ? dflt : Number(flags[name]));
const list = (name: string, dflt: string) => (flags[name] ?? dflt).split(",").filter(Boolean).map(Number);

const ACCOUNTS = num("accounts", 1000);
const SECONDS = num("seconds", 8);
const WARMUP = num("warmup", 1);
const BATCHES = list("batch", "1,10,50");
const CONCURRENCY = list("concurrency", "16");
const POOL = num("pool", 10);
const SUBSCRIBERS = Math.min(num("subscribers", 500), ACCOUNTS);
const SSE_RATES = list("sse-rate", "5000,0");
const SSE_BATCH = num("sse-batch", 10);
const BREACH = num("breach", 0.01);
const ONLY = new Set((flags.only ?? "inproc,http,sse").split(","));
const STAFF = flags.staff === "true";

for (const [name, value] of Object.entries({ ACCOUNTS, SECONDS, POOL, SSE_BATCH })) {
  if (!(value > 0)) throw new Error(`--${name.toLowerCase().replace("_", "-")} must be > 0`);
}

const DATABASE_URL = Deno.env.get("DATABASE_URL") || undefined;
const REDIS_URL = Deno.env.get("REDIS_URL") || undefined;

// --------------------------------------------------------------------------------------- the traders

const B0 = 100_000_00; // cents: the plan's initial balance
const SYMBOLS = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US30", "NAS100"];

function money(cents: number): string {
  const a = Math.abs(Math.round(cents));
  return `${cents < 0 ? "-" : ""}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

/** One account's trader: generates its next events in the DESIGN §4 wire format. */
class AccountSim {
  seq = 0;
  /** The `at` of the last event generated (ms): the next is never earlier. */
  last = 0;
  balance = B0;
  floating = 0;
  open: string | null = null;
  busy = false;
  breachAt: number | null = null;
  breached = false;

  constructor(
    readonly index: number,
    readonly id: string,
    readonly nonce: string,
    /** Designated to breach once, this long after its first batch. */
    readonly breachAfterMs: number | null,
  ) {}

  events(n: number, now: number): SyncEvent[] {
    if (this.breachAfterMs !== null && this.breachAt === null) this.breachAt = now + this.breachAfterMs;
    const base = Math.max(now, this.last + 1);
    const out: SyncEvent[] = [];
    for (let i = 0; i < n; i++) out.push(this.#step(new Date(base + i).toISOString(), now));
    this.last = base + n - 1;
    return out;
  }

  #step(at: string, now: number): SyncEvent {
    const id = `${this.nonce}-${++this.seq}`;
    if (this.breachAt !== null && !this.breached && now >= this.breachAt) {
      this.breached = true;
      // 8,000 under the balance: below the daily floor (5 % of B0 under the start-of-day balance).
      return { id, type: "equity", at, equity: money(this.balance - 8_000_00), balance: money(this.balance) };
    }
    const r = Math.random();
    if (this.open === null && r < 0.25) {
      this.open = `T${this.seq}`;
      this.floating = 0;
      return {
        id,
        type: "trade_open",
        at,
        tradeId: this.open,
        symbol: SYMBOLS[this.seq % SYMBOLS.length],
        direction: r < 0.125 ? "buy" : "sell",
        volume: (0.1 + Math.floor(Math.random() * 20) / 10).toFixed(2),
        price: (1.05 + Math.random() / 10).toFixed(5),
      };
    }
    if (this.open !== null && r < 0.2) {
      const pnl = this.floating - 7_00; // commission and spread
      const tradeId = this.open;
      this.balance += pnl;
      this.floating = 0;
      this.open = null;
      return {
        id,
        type: "trade_close",
        at,
        tradeId,
        price: (1.05 + Math.random() / 10).toFixed(5),
        pnl: money(pnl),
      };
    }
    if (this.open !== null) {
      // A random walk of ±150 a mark, pulled back toward the initial balance: no breach by drift.
      const pull = (B0 - (this.balance + this.floating)) * 0.02;
      this.floating = Math.max(
        -2_500_00,
        Math.min(2_500_00, this.floating + (Math.random() - 0.5) * 300_00 + pull),
      );
      this.floating = Math.round(this.floating);
    }
    return {
      id,
      type: "equity",
      at,
      equity: money(this.balance + this.floating),
      balance: money(this.balance),
    };
  }
}

function makeSims(ids: string[], seconds: number): AccountSim[] {
  const nonce = crypto.randomUUID().slice(0, 8);
  const every = BREACH > 0 ? Math.max(1, Math.round(1 / BREACH)) : 0;
  return ids.map((id, i) =>
    new AccountSim(
      i,
      id,
      `${nonce}${i}`,
      every && i % every === every - 1 ? Math.random() * seconds * 1000 : null,
    )
  );
}

// ----------------------------------------------------------------------------------------- the runner

interface Outcome {
  ok: boolean;
  status: number;
  /** The account's state version after the batch (the SSE frame id). */
  version: number;
  breaches: number;
  error?: string;
}

type Sender = (sim: AccountSim, events: SyncEvent[]) => Promise<Outcome>;

interface RunSpec {
  sims: AccountSim[];
  batch: number;
  concurrency: number;
  seconds: number;
  /** Batches per second to pace at; 0 = closed loop (each worker sends as soon as its last answer came). */
  rate: number;
  send: Sender;
  /** Called after every batch with its start (epoch ms, sub-ms precision). */
  onDone?: (sim: AccountSim, startedAt: number, outcome: Outcome) => void;
}

interface RunStats {
  events: number;
  batches: number;
  seconds: number;
  /** Per successful batch, ms, sorted. */
  latencies: number[];
  errors: Map<string, number>;
  breaches: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runLoad(spec: RunSpec): Promise<RunStats> {
  const { sims, batch, send } = spec;
  const stats: RunStats = {
    events: 0,
    batches: 0,
    seconds: 0,
    latencies: [],
    errors: new Map(),
    breaches: 0,
  };
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  const interval = spec.rate > 0 ? 1000 / spec.rate : 0;
  let slot = started;
  let cursor = Math.floor(Math.random() * sims.length);
  // Round robin over the accounts; an account is never sent two batches at once (a connector serializes
  // per account, and the ledger would only make the second wait for the first's lock).
  const pick = (): AccountSim | null => {
    for (let k = 0; k < sims.length; k++) {
      const sim = sims[cursor++ % sims.length];
      if (!sim.busy) return sim;
    }
    return null;
  };
  const worker = async () => {
    while (true) {
      if (interval) {
        const mine = slot;
        if (mine >= deadline) return;
        slot += interval;
        const wait = mine - performance.now();
        if (wait > 0.5) await sleep(wait);
      } else if (performance.now() >= deadline) return;
      const sim = pick();
      if (!sim) {
        await sleep(1);
        continue;
      }
      sim.busy = true;
      const events = sim.events(batch, Date.now());
      const startedAt = preciseNow();
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await send(sim, events);
      } catch (error) {
        outcome = { ok: false, status: 0, version: 0, breaches: 0, error: String(error).slice(0, 160) };
      }
      const ms = performance.now() - t0;
      sim.busy = false;
      if (outcome.ok) {
        stats.events += events.length;
        stats.batches++;
        stats.breaches += outcome.breaches;
        stats.latencies.push(ms);
      } else {
        const key = `${outcome.status || "exception"}: ${outcome.error ?? ""}`.slice(0, 200);
        stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
      }
      spec.onDone?.(sim, startedAt, outcome);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  stats.seconds = (performance.now() - started) / 1000;
  stats.latencies.sort((a, b) => a - b);
  return stats;
}

function inProcessSender(deps: { db: Db; bus: Bus }): Sender {
  return async (sim, events) => {
    try {
      const r = await applySync(deps, sim.id, events);
      return { ok: true, status: 200, version: r.account.stateVersion, breaches: r.breaches.length };
    } catch (error) {
      const e = error as { status?: number; code?: string; message?: string };
      return { ok: false, status: e.status ?? 500, version: 0, breaches: 0, error: e.code ?? String(error) };
    }
  };
}

function httpSender(port: number, secret: string): Sender {
  const url = `http://127.0.0.1:${port}/api/trading/demo-sync`;
  // Each request from its own address (behind TRUST_PROXY the last X-Forwarded-For entry is the client), so
  // the figures do not depend on whether the per-IP API budget (300/min) applies to demo-sync: it is exempt
  // now (`rateLimit: "self"`, 1,200 batches/min per account), but was not when this was written.
  let ip = Math.floor(Math.random() * 2 ** 24);
  return async (sim, events) => {
    const body = JSON.stringify({ accountId: sim.id, events });
    ip = (ip + 1) % 2 ** 24;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SYNC_SIGNATURE_HEADER]: signSync(secret, body),
        "x-forwarded-for": `10.${ip >> 16}.${(ip >> 8) & 255}.${ip & 255}`,
        "user-agent": "bench-engine-connector",
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) {
      let code = text.slice(0, 120);
      try {
        code = JSON.parse(text).error?.code ?? code;
      } catch { /* not JSON */ }
      return { ok: false, status: res.status, version: 0, breaches: 0, error: code };
    }
    const r = JSON.parse(text) as { account: { stateVersion: number }; breaches: unknown[] };
    return { ok: true, status: 200, version: r.account.stateVersion, breaches: r.breaches.length };
  };
}

// ----------------------------------------------------------------------------------------------- CPU

const CLK_TCK = 100;

interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  procs: Map<number, { comm: string; ticks: number }>;
}

function readProcs(): Map<number, { comm: string; ticks: number }> {
  const procs = new Map<number, { comm: string; ticks: number }>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const open = stat.indexOf("(");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(open + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      procs.set(Number(entry.name), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch { /* gone */ }
  }
  return procs;
}

function cpuSnapshot(): CpuSnapshot | null {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = line[3] + line[4];
    return { at: performance.now(), machine: { busy: total - idle, total }, procs: readProcs() };
  } catch {
    return null; // not Linux
  }
}

/**
 * Cores used over the interval: this process, the app process, PostgreSQL (our backends plus its shared
 * background processes, when local), Redis, everything else on the machine (other sessions' work: noise in
 * the figures), and the whole machine.
 */
interface CpuUsage {
  bench: number;
  app: number | null;
  postgres: number | null;
  redis: number | null;
  other: number;
  machine: number;
}

/** What `cpuUsage` needs to know about PostgreSQL's processes: whose backend each one is. */
interface PgPids {
  /** Backends of this benchmark (both processes) and the server's own background processes. */
  ours: Set<number>;
  /** Every process pg_stat_activity lists (the rest are the postmaster and its helpers). */
  listed: Set<number>;
}

/** The application_name of every connection the benchmark opens, to tell its backends from others'. */
const APP_NAME = `bench-engine-${crypto.randomUUID().slice(0, 8)}`;

async function pgPids(db: Db): Promise<PgPids | null> {
  if (db.kind !== "postgres") return null;
  const rows = await db.sql<{ pid: number; ours: boolean }[]>`
    select pid, (application_name = ${APP_NAME} or backend_type <> 'client backend') as ours
    from pg_stat_activity`;
  return {
    ours: new Set(rows.filter((r) => r.ours).map((r) => r.pid)),
    listed: new Set(rows.map((r) => r.pid)),
  };
}

function cpuUsage(
  a: CpuSnapshot | null,
  b: CpuSnapshot | null,
  appPid: number | null,
  pg: PgPids | null,
): CpuUsage | null {
  if (!a || !b) return null;
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
  const cpus = navigator.hardwareConcurrency || 1;
  const machine = ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * cpus;
  const bench = sum((pid) => pid === Deno.pid) ?? 0;
  const app = appPid === null ? null : sum((pid) => pid === appPid);
  // Only when the benchmark uses them: a local server of another kind must not be counted as ours.
  const postgres = DATABASE_URL
    ? sum((pid, comm) => comm === "postgres" && (pg === null || pg.ours.has(pid) || !pg.listed.has(pid)))
    : null;
  const redis = REDIS_URL ? sum((_, comm) => comm === "redis-server") : null;
  const other = Math.max(0, machine - bench - (app ?? 0) - (postgres ?? 0) - (redis ?? 0));
  return { bench, app, postgres, redis, other, machine };
}

/** The whole machine's busy cores over `ms`, before the benchmark starts (other sessions' load). */
async function idleCheck(ms: number): Promise<number | null> {
  const a = cpuSnapshot();
  await sleep(ms);
  const b = cpuSnapshot();
  if (!a || !b) return null;
  return ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) *
    (navigator.hardwareConcurrency || 1);
}

// ----------------------------------------------------------------------------------------- reporting

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (v: number) => (Number.isNaN(v) ? "—" : v < 10 ? v.toFixed(2) : v.toFixed(1));
const cpuText = (c: CpuUsage | null) =>
  c
    ? [
      `bench ${c.bench.toFixed(2)}`,
      c.app === null ? null : `app ${c.app.toFixed(2)}`,
      c.postgres === null ? null : `pg ${c.postgres.toFixed(2)}`,
      c.redis === null ? null : `redis ${c.redis.toFixed(2)}`,
      `other ${c.other.toFixed(2)}`,
      `all ${c.machine.toFixed(2)}`,
    ].filter(Boolean).join(" / ")
    : "n/a";

interface ThroughputRow {
  path: "in-process" | "HTTP";
  batch: number;
  concurrency: number;
  stats: RunStats;
  cpu: CpuUsage | null;
}

interface LatencyRow {
  rate: number;
  batch: number;
  subscribers: number;
  load: RunStats;
  /** Sync POST start → SSE change frame, ms, sorted. */
  latencies: number[];
  probes: number;
  missing: number;
  dropped: number;
  cpu: CpuUsage | null;
}

const throughputRows: ThroughputRow[] = [];
const latencyRows: LatencyRow[] = [];
const notes: string[] = [];

function errorsText(errors: Map<string, number>): string {
  return [...errors].map(([k, n]) => `${n}× ${k}`).join("; ");
}

function printThroughput(row: ThroughputRow): void {
  const { stats: s } = row;
  const errors = [...s.errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  ${row.path.padEnd(10)} batch ${String(row.batch).padStart(3)} × ${
      String(row.concurrency).padStart(3)
    } ` +
      `workers: ${(s.events / s.seconds).toFixed(0).padStart(6)} events/s, ${
        (s.batches / s.seconds).toFixed(0).padStart(5)
      } batches/s, ` +
      `per batch p50 ${ms(pct(s.latencies, 50))} ms p99 ${ms(pct(s.latencies, 99))} ms max ${
        ms(s.latencies.at(-1) ?? NaN)
      } ms; ` +
      `${s.breaches} breach(es); ${errors} error(s); CPU (cores) ${cpuText(row.cpu)}`,
  );
  if (errors) console.log(`    errors: ${errorsText(s.errors)}`);
}

// ------------------------------------------------------------------------------------------- phases

/** The database the benchmark process holds (for pg_stat_activity); set in main. */
let benchDb: Db;

async function measure(
  spec: RunSpec,
  appPid: number | null,
): Promise<{ stats: RunStats; cpu: CpuUsage | null }> {
  if (WARMUP > 0) await runLoad({ ...spec, seconds: WARMUP, onDone: undefined });
  const before = cpuSnapshot();
  const stats = await runLoad(spec);
  const after = cpuSnapshot();
  return { stats, cpu: cpuUsage(before, after, appPid, await pgPids(benchDb)) };
}

async function inProcessPhase(db: Db, bus: Bus): Promise<void> {
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
  const sims = makeSims(accountIds, SECONDS);
  const send = inProcessSender({ db, bus });
  for (const batch of BATCHES) {
    for (const concurrency of CONCURRENCY) {
      const { stats, cpu } = await measure(
        { sims, batch, concurrency, seconds: SECONDS, rate: 0, send },
        null,
      );
      const row: ThroughputRow = { path: "in-process", batch, concurrency, stats, cpu };
      throughputRows.push(row);
      printThroughput(row);
    }
  }
}

async function httpPhases(server: EngineServer, secret: string): Promise<void> {
  const needSse = ONLY.has("sse");
  const t0 = performance.now();
  const setup = await server.command<{ accountIds: string[]; tokens: string[]; staffToken: string | null }>({
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
  const sims = makeSims(setup.accountIds, SECONDS);
  const send = httpSender(server.port, secret);

  if (ONLY.has("http")) {
    console.log(`[HTTP] POST /api/trading/demo-sync, signed, keep-alive`);
    for (const batch of BATCHES) {
      for (const concurrency of CONCURRENCY) {
        const { stats, cpu } = await measure(
          { sims, batch, concurrency, seconds: SECONDS, rate: 0, send },
          server.pid,
        );
        const row: ThroughputRow = { path: "HTTP", batch, concurrency, stats, cpu };
        throughputRows.push(row);
        printThroughput(row);
      }
    }
  }
  if (needSse) await ssePhase(server, sims, send, setup);
}

async function ssePhase(
  server: EngineServer,
  sims: AccountSim[],
  send: Sender,
  setup: { accountIds: string[]; tokens: string[]; staffToken: string | null },
): Promise<void> {
  const worker = new Worker(new URL("./engine_sse_worker.ts", import.meta.url), { type: "module" });
  const ask = <T>(message: Record<string, unknown>, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (e: MessageEvent) => {
        if (e.data?.type !== reply) return;
        worker.removeEventListener("message", onMessage);
        resolve(e.data as T);
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", (e) => reject(e.error ?? new Error(e.message)), { once: true });
      worker.postMessage(message);
    });
  try {
    const base = Math.floor(Math.random() * 2 ** 16);
    const streams = setup.accountIds.slice(0, SUBSCRIBERS).map((id, i) => ({
      path: `/api/accounts/${id}/stream`,
      token: STAFF ? setup.staffToken! : setup.tokens[i],
      ip: `172.16.${(base + i) >> 8 & 255}.${(base + i) & 255}`,
    }));
    const t0 = performance.now();
    const opened = await ask<{ ok: number; errors: string[] }>(
      { type: "open", port: server.port, streams, parallel: 50 },
      "opened",
    );
    console.log(
      `\n[SSE] ${opened.ok}/${SUBSCRIBERS} streams open as ${STAFF ? "a support user" : "their owners"} in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s; app hub ${
        JSON.stringify(await server.command({ cmd: "stats" }).then((s) => s.streams))
      } stream(s)`,
    );
    if (opened.errors.length) {
      console.log(`  ${opened.errors.length} stream(s) failed, e.g. ${opened.errors[0]}`);
      notes.push(`${opened.errors.length} SSE stream(s) failed to open: ${opened.errors[0]}`);
    }
    const batch = SSE_BATCH;
    for (const eventsPerSecond of SSE_RATES) {
      const rate = eventsPerSecond / batch;
      const probes: number[] = []; // [stream index, version, startedAt] triples
      const onDone = (sim: AccountSim, startedAt: number, outcome: Outcome) => {
        if (outcome.ok && sim.index < SUBSCRIBERS) probes.push(sim.index, outcome.version, startedAt);
      };
      const concurrency = Math.max(...CONCURRENCY);
      const spec: RunSpec = { sims, batch, concurrency, seconds: SECONDS, rate, send, onDone };
      if (WARMUP > 0) await runLoad({ ...spec, seconds: WARMUP, onDone: undefined });
      await sleep(200);
      await ask({ type: "collect" }, "arrivals"); // discard the warm-up's frames
      const before = cpuSnapshot();
      const load = await runLoad(spec);
      const after = cpuSnapshot();
      const cpu = cpuUsage(before, after, server.pid, await pgPids(benchDb));
      await sleep(1000); // stragglers
      const { data, dropped } = await ask<{ data: number[]; dropped: number }>(
        { type: "collect" },
        "arrivals",
      );
      const arrivals = new Map<number, Map<number, number>>();
      for (let i = 0; i < data.length; i += 3) {
        let byVersion = arrivals.get(data[i]);
        if (!byVersion) arrivals.set(data[i], byVersion = new Map());
        if (!byVersion.has(data[i + 1])) byVersion.set(data[i + 1], data[i + 2]);
      }
      const latencies: number[] = [];
      let missing = 0;
      for (let i = 0; i < probes.length; i += 3) {
        const at = arrivals.get(probes[i])?.get(probes[i + 1]);
        if (at === undefined) missing++;
        else latencies.push(at - probes[i + 2]);
      }
      latencies.sort((a, b) => a - b);
      const row: LatencyRow = {
        rate: eventsPerSecond,
        batch,
        subscribers: opened.ok,
        load,
        latencies,
        probes: probes.length / 3,
        missing,
        dropped,
        cpu,
      };
      latencyRows.push(row);
      printLatency(row);
    }
  } finally {
    await ask({ type: "close" }, "closed").catch(() => {});
    worker.terminate();
  }
}

function printLatency(row: LatencyRow): void {
  const { load } = row;
  const errors = [...load.errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  load ${
      row.rate ? `paced at ${row.rate} events/s` : "closed loop (saturating)"
    }, batch ${row.batch}: ` +
      `achieved ${(load.events / load.seconds).toFixed(0)} events/s (POST p50 ${
        ms(pct(load.latencies, 50))
      } ms ` +
      `p99 ${ms(pct(load.latencies, 99))} ms, ${errors} error(s)); sync→SSE over ${row.probes} probes: ` +
      `p50 ${ms(pct(row.latencies, 50))} ms, p99 ${ms(pct(row.latencies, 99))} ms, max ${
        ms(row.latencies.at(-1) ?? NaN)
      } ms` +
      `${row.missing ? `; ${row.missing} frame(s) MISSING` : ""}${
        row.dropped ? `; ${row.dropped} stream(s) dropped` : ""
      }; CPU (cores) ${cpuText(row.cpu)}`,
  );
  if (errors) console.log(`    errors: ${errorsText(load.errors)}`);
}

function printSummary(context: string[]): void {
  const line = "─".repeat(118);
  console.log(`\n${line}\nENGINE BENCHMARK SUMMARY\n${context.map((c) => `  ${c}`).join("\n")}\n${line}`);
  if (throughputRows.length) {
    console.log(
      "Sync throughput (target ≥ 10,000 events/s evaluated + persisted + published)\n" +
        "  path        batch  workers   events/s  batches/s  p50 ms  p99 ms  errors  CPU cores bench/app/pg/redis/other/all",
    );
    for (const r of throughputRows) {
      const s = r.stats;
      const errors = [...s.errors.values()].reduce((a, b) => a + b, 0);
      const c = r.cpu;
      const f = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));
      console.log(
        `  ${r.path.padEnd(10)} ${String(r.batch).padStart(6)} ${String(r.concurrency).padStart(8)} ${
          (s.events / s.seconds).toFixed(0).padStart(10)
        } ${(s.batches / s.seconds).toFixed(0).padStart(10)} ${ms(pct(s.latencies, 50)).padStart(7)} ${
          ms(pct(s.latencies, 99)).padStart(7)
        } ${String(errors).padStart(7)}  ${
          c ? `${f(c.bench)}/${f(c.app)}/${f(c.postgres)}/${f(c.redis)}/${f(c.other)}/${f(c.machine)}` : "n/a"
        }`,
      );
    }
  }
  if (latencyRows.length) {
    console.log(
      "\nSync POST start → SSE change frame at a subscriber (target p99 ≤ 50 ms)\n" +
        "  background load            batch  streams  achieved ev/s  probes  p50 ms  p99 ms  max ms  missing  other CPU",
    );
    for (const r of latencyRows) {
      const label = r.rate ? `paced ${r.rate} ev/s` : "closed loop (saturating)";
      console.log(
        `  ${label.padEnd(26)} ${String(r.batch).padStart(5)} ${String(r.subscribers).padStart(8)} ${
          (r.load.events / r.load.seconds).toFixed(0).padStart(14)
        } ${String(r.probes).padStart(7)} ${ms(pct(r.latencies, 50)).padStart(7)} ${
          ms(pct(r.latencies, 99)).padStart(7)
        } ${ms(r.latencies.at(-1) ?? NaN).padStart(7)} ${String(r.missing).padStart(8)} ${
          (r.cpu ? r.cpu.other.toFixed(2) : "n/a").padStart(10)
        }`,
      );
    }
  }
  for (const note of notes) console.log(`note: ${note}`);
  console.log(line);
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
  try {
    const cores = navigator.hardwareConcurrency;
    let schemaUrl: string | undefined;
    let db: Db;
    if (DATABASE_URL) {
      const schema = uniqueSchemaName("bench_engine");
      const named = new URL(DATABASE_URL);
      named.searchParams.set("application_name", APP_NAME);
      db = await openDb({ url: named.href, schema, poolMax: POOL });
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
      db = await openDb({ dataDir: dir });
      cleanups.push(async () => {
        await db.close();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      });
      await migrate(db);
      context.push("database: DATABASE_URL not set → embedded PGlite (one per process, one connection each)");
    }
    benchDb = db;
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
    const busy = await idleCheck(1000);
    if (busy !== null) {
      context.push(
        `machine busy before the start: ${busy.toFixed(2)} cores (other sessions' work; "other" in the CPU ` +
          `figures is everything that is not this benchmark, its app, PostgreSQL or Redis)`,
      );
    }
    console.log(context.join("\n"));

    if (ONLY.has("inproc")) await inProcessPhase(db, bus);

    if (ONLY.has("http") || ONLY.has("sse")) {
      const secret = Array.from(
        crypto.getRandomValues(new Uint8Array(32)),
        (b) => b.toString(16).padStart(2, "0"),
      )
        .join("");
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
      await httpPhases(server, secret);
    }
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  printSummary(context);
}

await main();
