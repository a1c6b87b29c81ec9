/**
 * Abuse benchmark (issue 9): what an unauthenticated or hostile client can cost the server. Prints figures,
 * each with its ratio to an anchor measured in the same run (DESIGN §5); asserts nothing.
 *
 * The real app runs as its own process (bench/engine_server.ts: production build, Deno.serve on 127.0.0.1),
 * so its memory is not the attacker's. Phases:
 * 0. anchor: `/healthz` latency (one request every 20 ms, from a worker thread so that the flooding clients'
 *    work in this thread is not counted as the server's) on the idle server, and its resident memory;
 * a. `--clients` concurrent `--mb` MB bodies to the public body-taking endpoints (login, register, payment
 *    webhook, demo-sync), half announced by Content-Length and half chunked, each client sending its next
 *    body as soon as the last is answered for `--flood-seconds` → how many got 413, how much of
 *    each body we got to send, the server's RSS growth (target ≤ 50 MB) and `/healthz` p50/p99 meanwhile
 *    (target p99 ≤ 50 ms); anchored also to a bare `Deno.serve` that answers without reading any body,
 *    flooded the same way just before;
 * b. `--batches` signed `--events` demo-sync batches (opens that pile up) and the largest simulation the API
 *    accepts, at once → `/healthz`
 *    p99 meanwhile (target ≤ 50 ms);
 * c. `--stalled` connections that never finish their request head, and as many idle keep-alive ones after a
 *    request → how many the server closed within `--stall-seconds` (Deno.serve 2.9 has no header or idle
 *    timeout: see the README's security section for the proxy settings that bound them).
 *
 * Data: with DATABASE_URL, a scratch schema on that server (dropped at the end); without, embedded PGlite
 * in the app's process. REDIS_URL: the Redis bus; without, the in-process bus.
 *
 * Usage: deno task bench:abuse [--clients=20] [--mb=50] [--events=1000] [--batches=3] [--stalled=20] [--stall-seconds=12]
 *   [--flood-seconds=5]
 *   [--chunked=only|never] [--only=a,b,c]
 * Loopback only; bounded in count and time; the default run takes ≈ 1 min on 2 cores (plus the app's start).
 */
import { openDb } from "../db/client.ts";
import { toHex } from "../lib/crypto.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import { sync } from "../tests/helpers/sync.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { EngineServer } from "./engine_server.ts";
import {
  flood,
  type FloodResult,
  latencySummary,
  rssOf,
  stalledConnections,
  watchRss,
} from "./abuse_http.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({
  clients: flag.number(20),
  mb: flag.number(50),
  /** demo-sync takes at most 1,000 events a batch (a 5,000-event batch is refused with 422 before any work). */
  events: flag.number(1000),
  /** Batches sent one after another: open positions pile up, so the last batch is the heaviest. */
  batches: flag.number(3),
  stalled: flag.number(20),
  "stall-seconds": flag.number(12),
  "flood-seconds": flag.number(5),
  only: flag.someOf(["a", "b", "c"]),
  /** Every flood client chunked, or none (default: half and half). */
  chunked: flag.oneOf(["only", "never"]),
});
const CLIENTS = flags.clients;
const MB = flags.mb;
const EVENTS = flags.events;
const BATCHES = flags.batches;
const STALLED = flags.stalled;
const STALL_SECONDS = flags["stall-seconds"];
const FLOOD_SECONDS = flags["flood-seconds"];
const ONLY = new Set(flags.only);
const CHUNKED = flags.chunked;
const ANCHOR_SECONDS = 3;

const DATABASE_URL = Deno.env.get("DATABASE_URL") || undefined;
const REDIS_URL = Deno.env.get("REDIS_URL") || undefined;

const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ratio = (v: number, anchor: number) => `${(v / anchor).toFixed(1)}× anchor`;
const sleep = (msecs: number) => new Promise((resolve) => setTimeout(resolve, msecs));

/** The public endpoints that take a body, each with the headers a real caller would add. */
const TARGETS: { path: string; headers: Record<string, string> }[] = [
  { path: "/api/auth/login", headers: {} },
  { path: "/api/auth/register", headers: {} },
  { path: "/api/payments/webhook", headers: { "Payment-Signature": "t=0,v1=00" } },
  { path: "/api/trading/demo-sync", headers: { [SYNC_SIGNATURE_HEADER]: "t=0,v1=00" } },
];

type Health = ReturnType<typeof latencySummary>;

/** Polls `/healthz` every 20 ms from a worker thread (see bench/abuse_health_worker.ts) until `stop()`. */
function watchHealth(port: number): { stop(): Promise<Health> } {
  const worker = new Worker(new URL("./abuse_health_worker.ts", import.meta.url), { type: "module" });
  worker.postMessage({ port, everyMs: 20 });
  return {
    stop: () =>
      new Promise((resolve) => {
        worker.onmessage = (event) => {
          worker.terminate();
          resolve(latencySummary(event.data));
        };
        worker.postMessage("stop");
      }),
  };
}

function printHealth(label: string, health: Health, anchor: Health): void {
  console.log(
    `  /healthz ${label}: p50 ${ms(health.p50)}, p99 ${ms(health.p99)} (${ratio(health.p99, anchor.p99)}), ` +
      `max ${ms(health.max)}, ${health.n} probes`,
  );
}

async function anchorPhase(port: number): Promise<Health> {
  const poll = watchHealth(port);
  await sleep(ANCHOR_SECONDS * 1000);
  const anchor = await poll.stop();
  console.log(`\n[0] anchor: idle server, ${ANCHOR_SECONDS} s`);
  console.log(`  /healthz idle: p50 ${ms(anchor.p50)}, p99 ${ms(anchor.p99)}, max ${ms(anchor.max)}`);
  return anchor;
}

/** What one flood did to a server: every answer, the server's RSS before and at peak, `/healthz` meanwhile. */
interface FloodRun {
  results: (FloodResult & { target: string; chunked: boolean })[];
  elapsed: number;
  before: number;
  peak: number;
  health: Health;
}

/** `--clients` clients, each sending its next body as soon as the last is answered, for `--flood-seconds`. */
async function floodRun(port: number, pid: number): Promise<FloodRun> {
  const total = MB * 1e6;
  const before = rssOf(pid);
  const rss = watchRss(pid);
  const poll = watchHealth(port);
  const started = performance.now();
  const deadline = started + FLOOD_SECONDS * 1000;
  const perClient = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    const target = TARGETS[i % TARGETS.length];
    const chunked = CHUNKED === "only" || (CHUNKED !== "never" && Math.floor(i / TARGETS.length) % 2 === 1);
    // Distinct addresses (the app trusts X-Forwarded-For here), so per-IP budgets do not answer 429 first.
    const headers = { ...target.headers, "X-Forwarded-For": `10.66.${i >> 8}.${i & 255}` };
    const rows = [];
    do {
      const r = await flood(port, target.path, { chunked, total, headers, timeoutMs: 60_000 });
      rows.push({ ...r, target: target.path, chunked });
    } while (performance.now() < deadline);
    return rows;
  }));
  const elapsed = performance.now() - started;
  const health = await poll.stop();
  await sleep(500); // let the server settle before the last RSS reading
  return { results: perClient.flat(), elapsed, before, peak: rss.stop(), health };
}

/**
 * The floor for the flood: a bare `Deno.serve` (bench/hello_server.ts) that answers every request at once
 * without reading its body, flooded the same way. What it costs is Deno's and the kernel's, not ours.
 */
async function bareFloodRun(): Promise<FloodRun> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./hello_server.ts", import.meta.url).pathname, String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!(await reader.read()).value?.includes("ready")) { /* wait for the ready line */ }
    reader.releaseLock();
    await sleep(500);
    return await floodRun(port, child.pid);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

async function floodPhase(server: EngineServer, anchor: Health): Promise<void> {
  const bare = await bareFloodRun();
  const run = await floodRun(server.port, server.pid);
  const { results, elapsed, before, peak, health } = run;
  const total = MB * 1e6;
  const refused = results.filter((r) => r.status === 413).length;
  console.log(
    `\n[a] ${CLIENTS} clients sending ${MB} MB bodies to public endpoints back to back for ${ms(elapsed)}`,
  );
  console.log(
    `  413 answers: ${refused} of ${results.length} bodies (${mb(results.length * total)} offered)` +
      (refused === results.length ? "" : "  ← expected all"),
  );
  for (const r of results.filter((r) => r.status !== 413)) {
    console.log(`    ${r.target} ${r.chunked ? "chunked" : "length"}: ${r.status || "none"}`);
  }
  for (const chunked of [false, true]) {
    const rows = results.filter((r) => r.chunked === chunked);
    if (!rows.length) continue;
    const sent = rows.map((r) => r.sentBytes).sort((a, b) => a - b);
    console.log(
      `  ${chunked ? "chunked" : "Content-Length"}: sent before the answer: median ${
        mb(sent[sent.length >> 1])
      }, max ${mb(sent.at(-1)!)} of ${mb(total)}; slowest answer ${ms(Math.max(...rows.map((r) => r.ms)))}`,
    );
  }
  const growth = peak - before;
  const bareGrowth = bare.peak - bare.before;
  console.log(
    `  server RSS: ${mb(before)} before, peak ${mb(peak)} → growth ${mb(growth)} (target ≤ 50 MB); ` +
      `a bare Deno.serve flooded the same way grew ${mb(bareGrowth)} (${
        (growth / bareGrowth).toFixed(1)
      }× it)`,
  );
  printHealth("during the flood", health, anchor);
  console.log(
    `  /healthz of the bare Deno.serve during its flood: p50 ${ms(bare.health.p50)}, p99 ${
      ms(bare.health.p99)
    } (app p99 = ${(health.p99 / bare.health.p99).toFixed(1)}× it)`,
  );
}

/** The largest simulation the API takes: a long horizon first, smaller ones when it names a bound (422, 413). */
async function maximalSimulation(port: number, token: string): Promise<string> {
  const now = Date.now();
  for (const years of [1000, 100, 10, 1]) {
    for (const events of [10_000, 5_000, 1_000]) {
      const startAt = new Date(now - years * 365.25 * 86_400_000);
      const marks = Array.from(
        { length: events },
        (_, i) => sync.mark("100000.00", "100000.00", new Date(+startAt + 60_000 * (i + 1)).toISOString()),
      );
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/rules/simulate`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          plan: ftmo100k(),
          startAt: startAt.toISOString(),
          events: marks,
          until: new Date(now).toISOString(),
        }),
      });
      const size = (await res.arrayBuffer()).byteLength;
      if (res.status !== 422 && res.status !== 413) {
        return `${years} years back, ${events} events → ${res.status}, ${mb(size)} answer in ${
          ms(performance.now() - t0)
        }`;
      }
    }
  }
  return "every size → 422";
}

async function batchAndSimulationPhase(
  server: EngineServer,
  secret: string,
  anchor: Health,
): Promise<void> {
  const setup = await server.command<{ accountIds: string[]; tokens: string[] }>({
    cmd: "setup",
    accounts: 1,
    sessions: 1,
  });
  const [accountId] = setup.accountIds;
  const at = Date.now() + 1000;
  const poll = watchHealth(server.port);
  await sleep(200);
  const batch = (async () => {
    const t0 = performance.now();
    const statuses: number[] = [];
    let bytes = 0;
    for (let k = 0; k < BATCHES; k++) {
      const events = Array.from(
        { length: EVENTS },
        (_, i) => sync.open(`t-${k}-${i}`, new Date(at + k * EVENTS + i).toISOString()),
      );
      const raw = JSON.stringify({ accountId, events });
      bytes += raw.length;
      const res = await fetch(`http://127.0.0.1:${server.port}/api/trading/demo-sync`, {
        method: "POST",
        headers: { "content-type": "application/json", [SYNC_SIGNATURE_HEADER]: signSync(secret, raw) },
        body: raw,
      });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    return `${BATCHES} × ${EVENTS} trade_open (${mb(bytes)}) → ${statuses.join(", ")} in ${
      ms(performance.now() - t0)
    }`;
  })();
  const [batchResult, simResult] = await Promise.all([
    batch,
    maximalSimulation(server.port, setup.tokens[0]),
  ]);
  await sleep(200);
  const health = await poll.stop();
  console.log(`\n[b] a demo-sync batch and the largest simulation at once`);
  console.log(`  demo-sync: ${batchResult}`);
  console.log(`  simulate: ${simResult}`);
  printHealth("meanwhile", health, anchor);
}

async function stallPhase(port: number): Promise<void> {
  const wait = STALL_SECONDS * 1000;
  const [heads, idle] = await Promise.all([
    stalledConnections(port, STALLED, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", wait),
    stalledConnections(port, STALLED, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", wait),
  ]);
  const when = (r: { closedAfterMs: number[] }) =>
    r.closedAfterMs.length ? ` (after ${ms(Math.max(...r.closedAfterMs))} at most)` : "";
  console.log(`\n[c] connections left hanging for ${STALL_SECONDS} s`);
  console.log(`  unfinished request heads: ${heads.closed} of ${STALLED} closed by the server${when(heads)}`);
  console.log(`  idle keep-alive after one request: ${idle.closed} of ${STALLED} closed${when(idle)}`);
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const env: Record<string, string> = {};
    if (DATABASE_URL) {
      const schema = uniqueSchemaName("bench_abuse");
      const db = await openDb({ url: DATABASE_URL, schema, poolMax: 1 }); // creates the scratch schema
      cleanups.push(async () => {
        try {
          await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
        } finally {
          await db.close();
        }
      });
      const url = new URL(DATABASE_URL);
      url.searchParams.set("search_path", schema);
      env.DATABASE_URL = url.href;
    }
    if (REDIS_URL) env.REDIS_URL = REDIS_URL;
    const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const server = await EngineServer.spawn({ ...env, SYNC_SECRET: secret });
    cleanups.push(() => server.close());
    console.log(
      `app pid ${server.pid} on 127.0.0.1:${server.port} (db ${server.info.db}, bus ${server.info.bus}); ` +
        `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} core(s)`,
    );
    await sleep(1000); // let the start-up settle before the anchor
    const anchor = await anchorPhase(server.port);
    if (ONLY.has("a")) await floodPhase(server, anchor);
    if (ONLY.has("b")) await batchAndSimulationPhase(server, secret, anchor);
    if (ONLY.has("c")) await stallPhase(server.port);
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((error) => console.error("cleanup failed:", error));
  }
}

await main();
