/**
 * The app's CPU per signed demo-sync batch (issue 15, "Ingest efficiency"), without the HTTP server and the
 * load client in the figure: the real app (production build, real PostgreSQL and Redis) runs in this process
 * and is called through `app.fetch` with requests whose bodies and signatures were all made before the clock
 * starts, so this process's CPU during the measurement is the app's work per batch — middleware, body read,
 * signature, validation, the sync path, the database and Redis clients, the response and GC — plus the cost
 * of one `Request` object each (which `Deno.serve` also makes). `deno task bench:engine` gives the same figure
 * over HTTP (app CPU ÷ batches/s), together with the server's; this one is steadier on a busy machine, for
 * before/after comparisons of app-side changes (run it alternately from two checkouts).
 *
 * Load: `--accounts` FTMO-100K accounts (bench/engine_server.ts) driven by the engine benchmark's traders
 * (bench/engine_traders.ts, no breaches), batches of `--batch` events, `--concurrency` in flight, each account
 * never twice at once; `--warmup` seconds, then `--seconds` measured.
 *
 * Usage: DATABASE_URL=… REDIS_URL=… deno run -A bench/sync_app_cpu.ts [--accounts=1000] [--batch=10]
 *   [--concurrency=16] [--seconds=6] [--warmup=2] [--prepared=40000 (batches signed up front)]
 */
import process from "node:process";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { toHex } from "../lib/crypto.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { createBenchAccounts } from "./engine_server.ts";
import { makeSims } from "./engine_traders.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({
  accounts: flag.number(1000),
  batch: flag.number(10),
  concurrency: flag.number(16),
  seconds: flag.number(6),
  warmup: flag.number(2),
  /** Batches made up front: more than the run can send at a few thousand a second. */
  prepared: flag.number(40_000),
});
const ACCOUNTS = flags.accounts;
const BATCH = flags.batch;
const CONCURRENCY = flags.concurrency;
const SECONDS = flags.seconds;
const WARMUP = flags.warmup;
const PREPARED = flags.prepared;

const DATABASE_URL = Deno.env.get("DATABASE_URL");
if (!DATABASE_URL) throw new Error("DATABASE_URL must name a PostgreSQL server");
const REDIS_URL = Deno.env.get("REDIS_URL");

const schema = uniqueSchemaName("bench_sync_cpu");
const admin = await openDb({ url: DATABASE_URL, schema, poolMax: 2 });
await migrate(admin);
const url = new URL(DATABASE_URL);
url.searchParams.set("search_path", schema);
const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
const { openServedApp } = await import("../tests/helpers/served_app.ts");
const served = await openServedApp({
  DATABASE_URL: url.href,
  REDIS_URL,
  SYNC_SECRET: secret,
  TRUST_PROXY: "true",
});
try {
  const { accountIds } = await createBenchAccounts(served.deps.db, ACCOUNTS, new Date(), 10);
  const sims = makeSims(accountIds, SECONDS, 0);
  // Account i's j-th batch is request j·n + i: a batch of an account is sent only after its previous one,
  // ACCOUNTS requests earlier, has been answered (checked below).
  const now = Date.now();
  const prepared: { account: number; body: string; signature: string }[] = [];
  for (let k = 0; k < PREPARED; k++) {
    const sim = sims[k % sims.length];
    const body = JSON.stringify({ accountId: sim.id, events: sim.events(BATCH, now) });
    prepared.push({ account: k % sims.length, body, signature: signSync(secret, body) });
  }
  const busy = new Uint8Array(sims.length);
  let next = 0;
  let errors = 0;
  const send = async (): Promise<boolean> => {
    const k = next++;
    if (k >= prepared.length) throw new Error("ran out of prepared batches: raise --prepared");
    const p = prepared[k];
    if (busy[p.account]) throw new Error("an account got two batches at once: raise --accounts");
    busy[p.account] = 1;
    const res = await served.app.fetch(
      new Request("http://127.0.0.1/api/trading/demo-sync", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SYNC_SIGNATURE_HEADER]: p.signature,
          "x-forwarded-for": `10.0.${(k >> 8) & 255}.${k & 255}`,
        },
        body: p.body,
      }),
      { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 } },
    );
    await res.text();
    busy[p.account] = 0;
    if (res.status !== 200) errors++;
    return res.status === 200;
  };
  const phase = async (seconds: number) => {
    const deadline = performance.now() + seconds * 1000;
    let batches = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) if (await send()) batches++;
    }));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { batches, wall, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  await phase(WARMUP);
  // The app's own background work (timers, GC and compilation catching up) with no load, to tell apart.
  const idle0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = process.cpuUsage(idle0);
  const m = await phase(SECONDS);
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(
    `app CPU ${(m.cpuMs / m.batches).toFixed(3)} ms/batch (batch ${BATCH}, ${CONCURRENCY} in flight): ` +
      `${m.batches} batches in ${m.wall.toFixed(1)} s (${(m.batches / m.wall).toFixed(0)}/s), ` +
      `${(m.cpuMs / 1000 / m.wall).toFixed(2)} cores; idle before it ${
        ((idle.user + idle.system) / 1e6).toFixed(2)
      } ` +
      `cores; ${errors} error(s); load ${load}`,
  );
} finally {
  await served.close();
  await admin.sql.unsafe(`drop schema if exists "${schema}" cascade`);
  await admin.close();
}
