/**
 * `deno task bench:load`: mixed traffic against 3 app processes behind nginx on loopback, with faults.
 *
 *   deno task bench:load [--seconds=180] [--streams=1000] [--faults=kill,redis,pg] [--processes=3]
 *
 * Everything runs on private services started here (an initdb'd PostgreSQL, a redis-server on its own port)
 * so the faults never touch the machine's shared ones. Traffic, in closed loops: public pages, signed-in
 * dashboard pages, API reads, signed demo-sync ingest (10 events a batch), and `--streams` open account event
 * streams (4 per account, each from its own address), all through nginx. Anchor: a bare Deno.serve answering
 * the bytes of `/`, behind the same nginx, loaded with the same number of loops half before and half after the
 * mixed run; every figure is printed with its ratio to it.
 *
 * Faults (at 25 %, 50 % and 75 % of the run, at least 10 s apart): `kill` — kill -9 one app process (started
 * again 15 s later); `redis` — stop Redis for 3 s; `pg` — stop PostgreSQL (`-m immediate`, as a crash) for
 * 5 s, watching `/readyz` of every process. A request in flight during a fault (or 5 s after) counts under
 * that fault, not in the steady figures. Checks at the end: every acknowledged demo-sync event id is in the
 * database (0 lost), no batch is half-written, and no stream missed a logged change (streams resume through
 * nginx with Last-Event-ID).
 */
import { type RunningCluster, startCluster } from "../ops/cluster.ts";
import { freePort, freePorts } from "../tests/helpers/net.ts";
import { preciseNow } from "../tests/helpers/child_server.ts";
import { AccountSim } from "./engine_traders.ts";
import { postgresFault, startAnchor, startPrivatePg, startPrivateRedis } from "./load_infra.ts";
import { closedLoop, get, Ingest, type Kind, nextIp, Recorder } from "./load_traffic.ts";
import { ResumingStream } from "./load_sse.ts";
import { checkDatabase, type FaultWindow, printReport } from "./load_report.ts";
import { prepareAccounts } from "./load_setup.ts";
import { benchFlags, flag } from "./flags.ts";

const args = benchFlags({
  seconds: flag.number(180),
  streams: flag.number(1000),
  /** Empty (`--faults=`) for none. */
  faults: flag.someOf(["kill", "redis", "pg"]),
  processes: flag.number(3),
});
const SECONDS = args.seconds;
const STREAMS = args.streams;
const FAULTS = new Set(args.faults);
const STREAMS_PER_ACCOUNT = 4;
const LOOPS: Record<Exclude<Kind, "anchor">, number> = { public: 6, dashboard: 4, api: 6, ingest: 8 };
const TOTAL_LOOPS = Object.values(LOOPS).reduce((a, b) => a + b, 0);
const hex = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const pg = await startPrivatePg();
const redis = await startPrivateRedis();
const dataDir = await Deno.makeTempDir({ prefix: "bench_load_" });
const logFile = await Deno.open(`${dataDir}/cluster.log`, { write: true, create: true });
const secrets = { JWT_SECRET: hex(), SYNC_SECRET: hex() };
const anchorPort = freePort();
let cluster: RunningCluster | undefined;
let anchor: Deno.ChildProcess | undefined;
const streams: ResumingStream[] = [];
try {
  say(
    `private PostgreSQL on :${pg.port}, Redis at ${redis.url}; starting ${args.processes} app processes + nginx`,
  );
  const logLine = new TextEncoder();
  cluster = await startCluster({
    processes: args.processes,
    port: freePort(),
    firstAppPort: 0,
    // Held together: a port handed out twice would put two processes behind one address.
    appPorts: freePorts(args.processes),
    runDir: `${dataDir}/nginx`,
    // The bench speaks from many addresses over loopback (X-Forwarded-For), as many clients would.
    trustedProxies: "127.0.0.0/8",
    anchor: { listen: `127.0.0.1:${freePort()}`, upstream: `127.0.0.1:${anchorPort}` },
    env: {
      ...secrets,
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      APP_ENV: "development",
      ACCESS_LOG: "false",
      LOG_LEVEL: "warn",
    },
    log: (line) => void logFile.write(logLine.encode(line + "\n")),
  });
  const c = cluster;
  const nginxPort = Number(new URL(c.url).port);
  const anchorUrl = await Deno.readTextFile(`${dataDir}/nginx/nginx.conf`)
    .then((t) => `http://${[...t.matchAll(/listen (\S+) backlog/g)][1][1]}`);
  anchor = await startAnchor(anchorPort, new Uint8Array(await (await fetch(`${c.url}/`)).arrayBuffer()));

  const streamAccounts = Math.ceil(STREAMS / STREAMS_PER_ACCOUNT);
  const setup = await prepareAccounts(
    // The same APP_URL as the apps (startCluster: localhost at nginx's port): tokens name it.
    { ...secrets, DATABASE_URL: pg.url, DATA_DIR: dataDir, APP_URL: `http://localhost:${nginxPort}` },
    streamAccounts + 50,
  );
  say(`${setup.accountIds.length} accounts with their traders' sessions`);

  // Frames' arrival times by account and version, joined with the batches' send times at the end.
  const arrivals = new Map<string, number[]>();
  const onChange = (accountId: string, version: number, at: number) => {
    const key = `${accountId}:${version}`;
    const list = arrivals.get(key);
    if (list) list.push(at);
    else arrivals.set(key, [at]);
  };
  for (let i = 0; i < STREAMS; i += 50) {
    // allSettled: one refusal must not leave the others' rejections unhandled (that would skip the clean-up).
    const opened = await Promise.allSettled(
      Array.from({ length: Math.min(50, STREAMS - i) }, async (_, j) => {
        const a = (i + j) % streamAccounts;
        const s = new ResumingStream({
          port: nginxPort,
          accountId: setup.accountIds[a],
          token: setup.tokens[a],
          ip: `10.${200 + ((i + j) >> 16)}.${((i + j) >> 8) & 255}.${(i + j) & 255}`,
        }, onChange);
        streams.push(s);
        await s.open();
      }),
    );
    const refused = opened.find((o) => o.status === "rejected");
    if (refused) throw refused.reason;
  }
  say(`${streams.length} event streams open through nginx`);

  // Anchor: the same number of loops against the bare server behind the same nginx, half before the mixed
  // run and half after it (the machine is shared: its load drifts, and both halves are printed).
  const anchorRec = new Recorder();
  const anchorSeconds = Math.min(20, Math.max(6, SECONDS / 10));
  const anchorPhase = async () => {
    const end = preciseNow() + anchorSeconds * 500;
    const before = anchorRec.samples.length;
    await closedLoop(
      "anchor",
      TOTAL_LOOPS,
      () => preciseNow() < end,
      anchorRec,
      () => get(`${anchorUrl}/`, {}),
    );
    return (anchorRec.samples.length - before) / (anchorSeconds / 2);
  };
  const anchorBefore = await anchorPhase();
  say(`anchor (first half): ${anchorBefore.toFixed(0)} req/s; mixed run of ${SECONDS} s`);

  const rec = new Recorder();
  const sims = setup.accountIds.map((id, i) => new AccountSim(i, id, `${setup.nonce}-${i}`, null));
  const ingest = new Ingest(`${c.url}/api/trading/demo-sync`, secrets.SYNC_SECRET, sims, 10);
  const started = preciseNow();
  const end = started + SECONDS * 1000;
  // Traffic goes on until the run's time is up and every fault has played out (each needs traffic to measure).
  let faultsDone = false;
  const running = () => preciseNow() < end || !faultsDone;
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  const pages = ["/", "/challenges", "/faq", "/rules"];
  const traffic = Promise.all([
    closedLoop(
      "public",
      LOOPS.public,
      running,
      rec,
      () => get(`${c.url}${pick(pages)}`, { "x-forwarded-for": nextIp() }),
    ),
    closedLoop("dashboard", LOOPS.dashboard, running, rec, () => {
      const u = Math.floor(Math.random() * setup.tokens.length);
      return get(`${c.url}/dashboard`, {
        cookie: `pt_access=${setup.tokens[u]}`,
        "x-forwarded-for": setup.ips[u],
      });
    }),
    closedLoop("api", LOOPS.api, running, rec, () => {
      const u = Math.floor(Math.random() * setup.tokens.length);
      return get(`${c.url}/api/accounts/${setup.accountIds[u]}/overview`, {
        authorization: `Bearer ${setup.tokens[u]}`,
        "x-forwarded-for": setup.ips[u],
      });
    }),
    closedLoop("ingest", LOOPS.ingest, running, rec, () => ingest.send()),
  ]);

  const faults: FaultWindow[] = [];
  // At its fraction of the run, but never within 10 s of the previous fault's end (its own figure).
  const at = (fraction: number) => {
    const previous = faults.at(-1)?.end ?? 0;
    return sleep(
      Math.max(0, started + SECONDS * 1000 * fraction - preciseNow(), previous + 10_000 - preciseNow()),
    );
  };
  const faultRun = (async () => {
    if (FAULTS.has("kill")) {
      await at(0.25);
      const victim = c.apps[c.apps.length - 1];
      const metrics = await fetch(`http://127.0.0.1:${victim.port}/metrics`).then((r) => r.text()).catch(() =>
        ""
      );
      const wasLeader = /proptrade_leader_job\{job="venue-marker"\} 1/.test(metrics);
      const w: FaultWindow = { name: "kill", start: preciseNow(), end: 0, notes: [] };
      victim.child.kill("SIGKILL");
      await victim.child.status;
      say(`kill -9 app${victim.index} (pid ${victim.child.pid}${wasLeader ? ", the cluster leader" : ""})`);
      await sleep(15_000);
      await victim.restart();
      w.end = preciseNow();
      w.notes.push(`app${victim.index} ${wasLeader ? "(leader) " : ""}killed, restarted after 15 s`);
      faults.push(w);
    }
    if (FAULTS.has("redis")) {
      await at(0.5);
      const w: FaultWindow = { name: "redis", start: preciseNow(), end: 0, notes: [] };
      say("Redis down for 3 s");
      await redis.restart(3000);
      w.end = preciseNow();
      faults.push(w);
    }
    if (FAULTS.has("pg")) {
      await at(0.75);
      say("PostgreSQL stopped (immediate) for 5 s");
      const w = await postgresFault(pg, c.apps.map((a) => a.port));
      faults.push(w);
    }
  })();
  await faultRun.finally(() => faultsDone = true);
  await traffic;
  const elapsed = (preciseNow() - started) / 1000;
  const anchorAfter = await anchorPhase();
  say(`anchor (second half): ${anchorAfter.toFixed(0)} req/s`);
  say("traffic done; letting the streams catch up");
  await sleep(3000);
  for (const s of streams) s.close();

  const db = await checkDatabase(pg.url, ingest.batches, streams);
  printReport({
    seconds: elapsed,
    started,
    anchorSeconds,
    anchorHalves: [anchorBefore, anchorAfter],
    rec,
    anchorRec,
    faults,
    ingest: ingest.batches,
    arrivals,
    streams,
    db,
    processes: c.apps.length,
    loops: LOOPS,
  });
} finally {
  for (const s of streams) s.close();
  await cluster?.stop().catch(() => {});
  anchor?.kill("SIGKILL");
  await anchor?.status;
  await redis.stop().catch(() => {});
  await pg.destroy();
  logFile.close();
  // The apps' and nginx's logs stay for a look after the run; the rest goes.
  const logs = "/tmp/bench_load_logs";
  await Deno.remove(logs, { recursive: true }).catch(() => {});
  await Deno.mkdir(logs, { recursive: true });
  await Deno.copyFile(`${dataDir}/cluster.log`, `${logs}/cluster.log`).catch(() => {});
  await Deno.copyFile(`${dataDir}/nginx/error.log`, `${logs}/nginx_error.log`).catch(() => {});
  console.log(`logs: ${logs}/`);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
Deno.exit(0);
