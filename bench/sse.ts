/**
 * SSE benchmark (DESIGN §5: 10,000 concurrent streams on one process at ≤ 20 KB each).
 *
 * Spawns the app as its own process (tests/fixtures/stream_server.ts, over DATABASE_URL/REDIS_URL when
 * set, embedded otherwise), opens `--streams` SSE connections to it over raw TCP (bench/sse_client.ts: one
 * socket each, as browsers would), and reports:
 * - the server's RSS and V8 heap growth per open stream (measured after a forced GC, against a warmed-up
 *   baseline), and
 * - fan-out latency: from the moment a change is published (after commit) to its frame arriving on each
 *   stream, over `--rounds` changes published one at a time (each once the previous one reached every
 *   stream); p50/p99/max per stream and the time until the last stream had it.
 * By default one run measures both, one after the other: the HTTP server alone (plain event streams, no app:
 * the floor the app sits on), then the app, and prints the app's figures as ratios to that floor (DESIGN §5:
 * memory per stream ≤ 1.2×; issue 15: last-stream latency ≤ 1.5×). `--bare` or `--app` measures one only;
 * `--http=node` serves through node:http instead of Deno.serve (lib/http_listener.ts, HTTP_SERVER). The client shares the machine's cores with
 * the server, so latencies include its own reading of every socket.
 *
 * Usage: deno task bench:sse [--streams=10000] [--accounts=1] [--rounds=20] [--http=deno|node] [--bare|--app]
 * Needs ~2 × streams file descriptors across the two processes: the task raises `ulimit -n` to the hard
 * limit first (run `ulimit -n 25000` yourself when calling this file directly).
 */
import { StreamServer } from "../tests/fixtures/stream_server.ts";
import { openSseStream, type SseStream } from "./sse_client.ts";
import { percentile } from "./stats.ts";

const flags = Object.fromEntries(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=") as [string, string]),
);
const STREAMS = Number(flags.streams ?? 10_000);
const ROUNDS = Number(flags.rounds ?? 20);
/** `node` serves the app through node:http instead of the production default, Deno.serve. */
const HTTP = flags.http === "node" ? "node" : "deno";
/** Bare event streams without the app: what the HTTP server itself costs per open stream. */
const MODES: Mode[] = "bare" in flags ? ["bare"] : "app" in flags ? ["app"] : ["bare", "app"];
const ACCOUNTS = Number(flags.accounts ?? 1);
const CONNECT_CONCURRENCY = Number(flags.concurrency ?? 200);

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
const ratio = (app: number, floor: number) => `${(app / floor).toFixed(2)}×`;

async function openFileLimit(): Promise<number> {
  try {
    const limits = await Deno.readTextFile("/proc/self/limits");
    return Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Infinity);
  } catch {
    return Infinity;
  }
}

type Stats = { rss: number; heapUsed: number; heapTotal: number; external: number; streams: number };

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
}

async function main() {
  const limit = await openFileLimit();
  if (limit < STREAMS + 200) {
    console.warn(
      `ulimit -n is ${limit}; ${STREAMS} streams need more (run through \`deno task bench:sse\`).`,
    );
  }
  const results = new Map<Mode, Figures>();
  for (const mode of MODES) results.set(mode, await measure(mode));
  const bare = results.get("bare"), app = results.get("app");
  if (bare && app) {
    console.log(
      `app / bare, same run: memory per stream RSS ${ratio(app.rss, bare.rss)} (budget ≤ 1.2×), ` +
        `V8 heap ${ratio(app.heapUsed, bare.heapUsed)}; last stream reached p50 ` +
        `${ratio(app.lastP50, bare.lastP50)} (budget ≤ 1.5×), p99 ${ratio(app.lastP99, bare.lastP99)}; ` +
        `per-stream p50 ${ratio(app.p50, bare.p50)}, p99 ${ratio(app.p99, bare.p99)}`,
    );
  }
}

/** Spawns one server, opens the streams, publishes the changes and reports what it measured. */
async function measure(mode: Mode): Promise<Figures> {
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
    const path = (i: number) => `/api/accounts/${accountIds[i % accounts]}/stream`;
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
    if (after.streams !== STREAMS) throw new Error(`server holds ${after.streams} streams, want ${STREAMS}`);

    const published: { account: number; version: number; at: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let a = 0; a < accounts; a++) {
        const r = await server.command<{ stateVersion: number; publishedAt: number }>({
          cmd: "produce",
          accountId: accountIds[a],
        });
        published.push({ account: a, version: r.stateVersion, at: r.publishedAt });
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
    const latencies: number[] = [];
    const lastArrivals: number[] = [];
    let missing = 0;
    for (const p of published) {
      let last = 0;
      for (const s of streams) {
        if (s.account !== p.account) continue;
        const at = s.arrivals.get(p.version);
        if (at === undefined) missing++;
        else {
          latencies.push(at - p.at);
          last = Math.max(last, at - p.at);
        }
      }
      lastArrivals.push(last);
    }
    latencies.sort((a, b) => a - b);
    lastArrivals.sort((a, b) => a - b);
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
      `fan-out of ${published.length} change(s) to ${n / accounts} stream(s) each: per stream ` +
        `p50 ${fmt(figures.p50)}, p99 ${fmt(figures.p99)}, ` +
        `max ${fmt(latencies.at(-1) ?? NaN)}; last stream reached p50 ${fmt(figures.lastP50)}, ` +
        `p99 ${fmt(figures.lastP99)}${missing ? `; ${missing} frame(s) MISSING` : ""}`,
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
