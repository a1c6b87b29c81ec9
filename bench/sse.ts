/**
 * SSE benchmark (DESIGN §5: 10,000 concurrent streams on one process, memory per stream ≤ 1.2× a bare
 * Deno.serve event stream's; issue 15: one change reaches the last of them within 1.5× the bare time).
 *
 * Spawns the app as its own process (tests/fixtures/stream_server.ts, over DATABASE_URL/REDIS_URL when
 * set, embedded otherwise), opens `--streams` SSE connections to it over raw TCP (bench/sse_client.ts: one
 * socket each, as browsers would) — user streams (`GET /api/users/stream`, what each signed-in trader
 * holds) of one trader with one account, or with `--stream=account` that account's own stream (staff's
 * view) — and reports:
 * - the server's RSS and V8 heap growth per open stream (measured after a forced GC, against a warmed-up
 *   baseline), and
 * - fan-out latency: from the moment a change is published (after commit) to its frame arriving on each
 *   stream, over `--rounds` changes published one at a time (each once the previous one reached every
 *   stream); p50/p99/max per stream, the time until the first and the last stream had it, and the
 *   server's CPU time (all threads) per change.
 * By default one run measures both, in `--pairs` (default 3) alternating the order: the HTTP server alone
 * (plain event streams with as many bytes of data as the app's changes, no app: the floor the app sits on),
 * and the app; it prints the app's figures as ratios to that floor, per pair and as the median over pairs.
 * `--bare` or `--app` measures one only; `--http=node` serves through node:http instead of Deno.serve
 * (lib/http_listener.ts, HTTP_SERVER); `--profile=<dir>` writes a V8 CPU profile of each server's rounds
 * there, `--heapsnapshot=<dir>` a heap snapshot of each with its streams open. The client shares the
 * machine's cores with the server, so latencies include its own reading of every socket, and other
 * processes on the machine move them: the load average is printed with each half.
 *
 * Usage: deno task bench:sse [--streams=10000] [--stream=user|account] [--accounts=1] [--rounds=20]
 *   [--pairs=3] [--http=deno|node] [--bare|--app] [--profile=<dir>] [--heapsnapshot=<dir>] [--concurrency=200]
 * (`--concurrency`: streams opened at once; `--help` lists the flags with their defaults).
 * Needs ~2 × streams file descriptors across the two processes: the task raises `ulimit -n` to the hard
 * limit first (run `ulimit -n 25000` yourself when calling this file directly).
 */
import { StreamServer } from "../tests/fixtures/stream_server.ts";
import { openSseStream, type SseStream } from "./sse_client.ts";
import { percentile } from "./stats.ts";
import { benchFlags, flag, refuse } from "./flags.ts";

const flags = benchFlags({
  streams: flag.number(10_000),
  /** Which stream the app serves: the user stream (what a signed-in trader holds) or one account's. */
  stream: flag.oneOf(["user", "account"], "user"),
  accounts: flag.number(1),
  rounds: flag.number(20),
  pairs: flag.number(3),
  /** `node` serves the app through node:http instead of the production default, Deno.serve. */
  http: flag.oneOf(["deno", "node"], "deno"),
  /** Bare event streams without the app: what the HTTP server itself costs per open stream. */
  bare: flag.boolean(),
  app: flag.boolean(),
  /** A directory for a V8 CPU profile of each server's rounds. */
  profile: flag.dir(),
  /** A directory for a heap snapshot of each server with its streams open. */
  heapsnapshot: flag.dir(),
  /** Streams being opened at once. */
  concurrency: flag.number(200),
});
const STREAMS = flags.streams;
const ROUNDS = flags.rounds;
const HTTP = flags.http;
if (flags.bare && flags.app) refuse("--bare and --app each measure one only: give one of them, or neither");
const MODES: Mode[] = flags.bare ? ["bare"] : flags.app ? ["app"] : ["bare", "app"];
const ACCOUNTS = flags.accounts;
const STREAM = flags.stream;
if (STREAM === "user" && ACCOUNTS !== 1) refuse("--stream=user measures one account (--accounts=1)");
const CONNECT_CONCURRENCY = flags.concurrency;
/**
 * Bare/app pairs, in alternating order (app first, then bare first, ...); the ratios printed are the
 * medians of the pairs' own ratios. Other processes load a shared machine unevenly, and one pair's two
 * halves run a minute apart: one pair's latency ratio is as much that as it is the app.
 */
const PAIRS = MODES.length === 2 ? flags.pairs : 1;

type Mode = "bare" | "app";

interface Stream {
  sse: SseStream;
  account: number;
  /** Arrival time of each change frame by version. */
  arrivals: Map<number, number>;
}

/** Opens one stream and resolves once its snapshot has arrived; keeps reading in the background. */
async function openStream(port: number, path: string, token: string, ip: string, account: number) {
  const arrivals = new Map<number, number>();
  const sse = await openSseStream({ port, path, token, ip }, {
    onChange: (version, at) => arrivals.set(version, at),
  });
  return { sse, account, arrivals };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function openFileLimit(): Promise<number> {
  try {
    const limits = await Deno.readTextFile("/proc/self/limits");
    return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Infinity);
  } catch {
    return Infinity;
  }
}

type Stats = {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  streams: number;
  cpuMs: number;
};

/** What one server (bare or app) measured. */
interface Figures {
  /** Bytes per open stream: RSS and V8 heap (used, total) after opening, against the warmed-up baseline. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Per-stream latency percentiles, and the p50/p99 over changes of the time until the last stream had it. */
  p50: number;
  p99: number;
  lastP50: number;
  lastP99: number;
  missing: number;
  /** Length of a change's data line (the app's `AccountChange` JSON; the bare server sends as many bytes). */
  dataBytes: number;
}

async function main() {
  const limit = await openFileLimit();
  if (limit < STREAMS + 200) {
    console.warn(
      `ulimit -n is ${limit}; ${STREAMS} streams need more (run through \`deno task bench:sse\`).`,
    );
  }
  const pairs: Record<Mode, Figures>[] = [];
  let dataBytes: number | undefined;
  for (let pair = 0; pair < PAIRS; pair++) {
    const order: Mode[] = MODES.length === 2 && pair % 2 === 0 ? ["app", "bare"] : MODES;
    const results = {} as Record<Mode, Figures>;
    for (const mode of order) {
      if (PAIRS > 1) console.log(`--- pair ${pair + 1}/${PAIRS}: ${mode} (load average ${loadAverage()})`);
      results[mode] = await measure(mode, dataBytes);
      if (mode === "app") dataBytes = results.app.dataBytes;
    }
    if (results.bare && results.app) {
      pairs.push(results);
      console.log(ratios("this pair", [results]));
    }
  }
  if (pairs.length > 1) console.log(ratios(`app / bare, median of ${pairs.length} pairs`, pairs));
}

/** The app's figures as ratios to the bare floor: each pair's own ratio, then the median over pairs. */
function ratios(what: string, pairs: Record<Mode, Figures>[]): string {
  const r = (key: keyof Figures) => {
    const sorted = pairs.map((p) => p.app[key] / p.bare[key]).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return `${median.toFixed(2)}×`;
  };
  return `${what}: memory per stream RSS ${r("rss")} (budget ≤ 1.2×), V8 heap ${r("heapUsed")}; ` +
    `last stream reached p50 ${r("lastP50")} (budget ≤ 1.5×), p99 ${r("lastP99")}; ` +
    `per-stream p50 ${r("p50")}, p99 ${r("p99")}`;
}

/** The 1-minute load average (other processes on the machine), or "?" where /proc is not there. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
  } catch {
    return "?";
  }
}

/**
 * Spawns one server, opens the streams, publishes the changes and reports what it measured. The bare
 * server's changes carry `dataBytes` of data (the app's change size, once measured).
 */
async function measure(mode: Mode, dataBytes?: number): Promise<Figures> {
  const bare = mode === "bare";
  const env = Deno.env.toObject();
  const database = env.DATABASE_URL && !bare ? await scratchSchema(env.DATABASE_URL) : undefined;
  const accounts = bare ? 1 : ACCOUNTS;
  const server = await StreamServer.spawn({
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
    // Every client gets its own address (X-Forwarded-For), as 10,000 browsers would: one address would
    // (rightly) hit the per-IP API rate limit.
    TRUST_PROXY: "true",
    // One user holds every stream (one session): lift the per-user cap it would otherwise hit at the 11th.
    STREAM_MAX_PER_USER: String(STREAMS + 1000),
    STREAM_SERVER_HTTP: HTTP,
    STREAM_SERVER_APP: mode,
  }, ["--expose-gc"]);
  const streams: Stream[] = [];
  try {
    const { token, accountIds } = await server.command<{ token: string; accountIds: string[] }>({
      cmd: "setup",
      accounts,
    });
    console.log(
      `server: ${bare ? "bare streams (no app)" : "app"} on ${server.info.http}, db ${server.info.db}, ` +
        `bus ${server.info.bus}; ${STREAMS} streams over ${accounts} account(s)`,
    );
    const path = (i: number) =>
      STREAM === "user" ? "/api/users/stream" : `/api/accounts/${accountIds[i % accounts]}/stream`;
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

    // Warm-up: every code path taken once (JIT, lazy modules, pools), then closed again.
    const warm = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) => openStream(server.port, path(i), token, ip(STREAMS + i), i % accounts),
      ),
    );
    for (const s of warm) s.sse.close();
    await waitFor(server, (s) => s.streams === 0);
    const before = await settledStats(server);

    const started = performance.now();
    for (let i = 0; i < STREAMS; i += CONNECT_CONCURRENCY) {
      const batch = [];
      for (let j = i; j < Math.min(STREAMS, i + CONNECT_CONCURRENCY); j++) {
        batch.push(openStream(server.port, path(j), token, ip(j), j % accounts));
      }
      streams.push(...await Promise.all(batch));
    }
    const openSeconds = (performance.now() - started) / 1000;
    const after = await settledStats(server);
    if (flags.heapsnapshot) {
      const { path } = await server.command<{ path: string }>({
        cmd: "heapsnapshot",
        path: `${flags.heapsnapshot}/sse-${mode}-${STREAMS}.heapsnapshot`,
      });
      console.log(`heap snapshot with the streams open: ${path}`);
    }
    if (after.streams !== STREAMS) throw new Error(`server holds ${after.streams} streams, want ${STREAMS}`);

    const published: { account: number; version: number; at: number }[] = [];
    let sentBytes = 0;
    if (flags.profile) await server.command({ cmd: "profile-start" });
    const cpuBefore = (await server.command<Stats>({ cmd: "stats" })).cpuMs;
    for (let round = 0; round < ROUNDS; round++) {
      for (let a = 0; a < accounts; a++) {
        const r = await server.command<{ stateVersion: number; publishedAt: number; dataBytes: number }>({
          cmd: "produce",
          accountId: accountIds[a],
          ...(dataBytes ? { dataBytes } : {}),
        });
        published.push({ account: a, version: r.stateVersion, at: r.publishedAt });
        sentBytes = Math.max(sentBytes, r.dataBytes);
      }
      // One change at a time: the next is published once this one reached every stream (or 30 s passed),
      // so each figure is the fan-out of one change rather than of a queue of them (on a loaded machine a
      // fan-out can take longer than any fixed gap between rounds).
      const deadline = Date.now() + 30_000;
      while (streams.some((s) => s.arrivals.size < round + 1) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (flags.profile) {
      const { path } = await server.command<{ path: string }>({
        cmd: "profile-stop",
        path: `${flags.profile}/sse-${mode}.cpuprofile`,
      });
      console.log(`CPU profile of the rounds: ${path}`);
    }
    const cpuPerChange = ((await server.command<Stats>({ cmd: "stats" })).cpuMs - cpuBefore) / ROUNDS;
    const latencies: number[] = [];
    const lastArrivals: number[] = [];
    const firstArrivals: number[] = [];
    let missing = 0;
    for (const p of published) {
      let last = 0;
      let first = Infinity;
      for (const s of streams) {
        if (s.account !== p.account) continue;
        const at = s.arrivals.get(p.version);
        if (at === undefined) missing++;
        else {
          latencies.push(at - p.at);
          last = Math.max(last, at - p.at);
          first = Math.min(first, at - p.at);
        }
      }
      lastArrivals.push(last);
      firstArrivals.push(first);
    }
    latencies.sort((a, b) => a - b);
    lastArrivals.sort((a, b) => a - b);
    firstArrivals.sort((a, b) => a - b);
    const peak = await settledStats(server);

    const n = STREAMS;
    const figures: Figures = {
      rss: (after.rss - before.rss) / n,
      heapUsed: (after.heapUsed - before.heapUsed) / n,
      heapTotal: (after.heapTotal - before.heapTotal) / n,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      lastP50: percentile(lastArrivals, 50),
      lastP99: percentile(lastArrivals, 99),
      missing,
      dataBytes: sentBytes,
    };
    console.log(`opened ${n} streams in ${openSeconds.toFixed(1)} s (${(n / openSeconds).toFixed(0)}/s)`);
    console.log(
      `server RSS ${kb(before.rss)} → ${kb(after.rss)}: ${kb(figures.rss)} per stream ` +
        `(after ${ROUNDS} rounds: ${kb((peak.rss - before.rss) / n)})`,
    );
    console.log(
      `server V8 heap ${kb(before.heapUsed)} → ${kb(after.heapUsed)}: ${kb(figures.heapUsed)} per stream ` +
        `(heap total ${kb(figures.heapTotal)}); external ${
          kb((after.external - before.external) / n)
        } per stream`,
    );
    console.log(
      `fan-out of ${published.length} change(s) (${sentBytes} bytes of data) to ${n / accounts} ` +
        `${bare ? "bare" : STREAM} stream(s) each: per stream ` +
        `p50 ${fmt(figures.p50)}, p99 ${fmt(figures.p99)}, ` +
        `max ${fmt(latencies.at(-1) ?? NaN)}; last stream reached p50 ${fmt(figures.lastP50)}, ` +
        `p99 ${fmt(figures.lastP99)}; first stream reached p50 ${fmt(percentile(firstArrivals, 50))}; ` +
        `server CPU ${fmt(cpuPerChange)} per change (rounds' wall time included)${
          missing ? `; ${missing} frame(s) MISSING` : ""
        }`,
    );
    return figures;
  } finally {
    for (const s of streams) s.sse.close();
    await server.close();
    await database?.drop();
  }
}

/** A throw-away schema on the given server, so the benchmark never touches anyone's tables. */
async function scratchSchema(databaseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: postgres } = await import("postgres");
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const schema = `bench_sse_${Date.now().toString(36)}`;
  await admin.unsafe(`create schema "${schema}"`);
  const url = new URL(databaseUrl);
  url.searchParams.set("search_path", schema);
  return {
    url: url.href,
    async drop() {
      await admin.unsafe(`drop schema "${schema}" cascade`);
      await admin.end();
    },
  };
}

/** Server stats once memory has stopped moving (GC'd, and queued writes flushed). */
async function settledStats(server: StreamServer): Promise<Stats> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await server.command({ cmd: "stats" });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return await server.command<Stats>({ cmd: "stats" });
}

async function waitFor(server: StreamServer, check: (s: Stats) => boolean): Promise<void> {
  const until = Date.now() + 30_000;
  while (!check(await server.command<Stats>({ cmd: "stats" }))) {
    if (Date.now() > until) throw new Error("the server did not settle");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await main();
