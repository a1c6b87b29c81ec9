/**
 * What each part of the schema costs a demo-sync batch (issue 15, "Ingest efficiency"): the in-process
 * batch-10 load of the engine benchmark, measured as database CPU per batch (this script's backends, from
 * /proc) and batches/s, with and without one group of schema objects at a time — the foreign keys
 * to `accounts`, indexes, check constraints. Each variant is measured between two baselines (the objects
 * dropped, measured, re-created from their own definitions), `--reps` times, so that drift (tables growing,
 * other sessions' load) shows as baseline-to-baseline spread rather than as a variant's effect. Measurement
 * only: without these objects the app loses guarantees; all of it runs in a scratch schema dropped at the end.
 *
 * Usage: DATABASE_URL=… deno run -A bench/engine_ablate.ts [--accounts=1000] [--seconds=5] [--batch=10]
 *   [--concurrency=16] [--reps=2] [--variants=name,name] (default: all; `--help` lists the names)
 */
import type { Db } from "../db/client.ts";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { createBus } from "../services/bus/mod.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { cpuSnapshot, cpuUsage } from "./engine_cpu.ts";
import { createBenchAccounts } from "./engine_server.ts";
import { inProcessSender, runLoad } from "./engine_load.ts";
import { makeSims } from "./engine_traders.ts";
import { benchFlags, flag } from "./flags.ts";

/** The tables a sync batch writes. */
const WRITTEN = ["account_events", "account_changes", "trades", "daily_stats", "equity_samples"];

/** Schema objects, by kind and name, whose definitions can be read back and re-created. */
type Obj = { kind: "index" | "constraint" | "trigger"; table: string; name: string };

const VARIANTS: { name: string; objects: (db: Db) => Promise<Obj[]> }[] = [
  {
    name: "foreign keys to accounts",
    objects: () =>
      Promise.resolve(
        WRITTEN.map((t) => ({ kind: "constraint" as const, table: t, name: `${t}_account_id_fkey` })),
      ),
  },
  {
    name: "account_events_at_idx",
    objects: () =>
      Promise.resolve([{ kind: "index", table: "account_events", name: "account_events_at_idx" }]),
  },
  {
    name: "trades secondary indexes",
    objects: () =>
      Promise.resolve(
        [
          "trades_account_opened_idx",
          "trades_account_symbol_opened_idx",
          "trades_account_closed_idx",
          "trades_account_closed_pnl_idx",
          "trades_account_open_idx",
          "trades_blocked_idx",
        ]
          .map((name) => ({ kind: "index" as const, table: "trades", name })),
      ),
  },
  {
    name: "equity_samples_at_idx",
    objects: () =>
      Promise.resolve([{ kind: "index", table: "equity_samples", name: "equity_samples_at_idx" }]),
  },
  {
    name: "check constraints",
    objects: async (db) =>
      (await db.sql<{ table: string; name: string }[]>`
        select conrelid::regclass::text as table, conname as name from pg_constraint
        where contype = 'c' and connamespace = current_schema()::regnamespace
          and conrelid::regclass::text = any(${WRITTEN})`).map((r) => ({
        kind: "constraint" as const,
        ...r,
      })),
  },
];

const flags = benchFlags({
  accounts: flag.number(1000),
  seconds: flag.number(5),
  batch: flag.number(10),
  concurrency: flag.number(16),
  reps: flag.number(2),
  variants: flag.someOf(VARIANTS.map((v) => v.name)),
});
const ACCOUNTS = flags.accounts;
const SECONDS = flags.seconds;
const BATCH = flags.batch;
const CONCURRENCY = flags.concurrency;
const REPS = flags.reps;

/** Drops `objects`; returns the statements that re-create them. */
async function drop(db: Db, objects: Obj[]): Promise<string[]> {
  const restore: string[] = [];
  for (const o of objects) {
    const [{ def }] = o.kind === "index"
      ? await db.sql`select pg_get_indexdef(${o.name}::regclass) as def`
      : o.kind === "trigger"
      ? await db.sql`select pg_get_triggerdef(oid) as def from pg_trigger
                     where tgname = ${o.name} and tgrelid = ${o.table}::regclass`
      : await db.sql`select format('alter table %s add constraint %I %s', ${o.table}::text, ${o.name}::text,
                       pg_get_constraintdef(oid)) as def
                     from pg_constraint where conname = ${o.name} and conrelid = ${o.table}::regclass`;
    await db.sql.unsafe(
      o.kind === "index"
        ? `drop index "${o.name}"`
        : o.kind === "trigger"
        ? `drop trigger "${o.name}" on ${o.table}`
        : `alter table ${o.table} drop constraint "${o.name}"`,
    );
    restore.push(def as string);
  }
  return restore;
}

const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("engine_ablate: set DATABASE_URL (a real PostgreSQL server)");

const schema = uniqueSchemaName("bench_ablate");
const appName = `bench-ablate-${crypto.randomUUID().slice(0, 8)}`;
const named = new URL(url);
named.searchParams.set("application_name", appName);
const db = await openDb({ url: named.href, schema, poolMax: 10 });
const bus = await createBus({});
try {
  await migrate(db);
  const { accountIds } = await createBenchAccounts(db, ACCOUNTS, new Date(), 8);
  const sims = makeSims(accountIds, SECONDS, 0);
  const send = inProcessSender({ db, bus });
  const spec = { sims, batch: BATCH, concurrency: CONCURRENCY, rate: 0, send };
  await runLoad({ ...spec, seconds: 2 });
  const measure = async (label: string) => {
    await runLoad({ ...spec, seconds: 1 });
    const before = cpuSnapshot();
    const stats = await runLoad({ ...spec, seconds: SECONDS });
    const after = cpuSnapshot();
    const cpu = await cpuUsage({ db, appName, postgres: true, redis: false }, before, after, null);
    const perBatch = (cores: number | null | undefined) =>
      cores == null ? "n/a" : ((cores * 1000 * stats.seconds) / stats.batches).toFixed(3);
    console.log(
      `${label.padEnd(40)} ${(stats.batches / stats.seconds).toFixed(0).padStart(5)} batches/s; ` +
        `DB CPU ms/batch ${perBatch(cpu?.postgresBackends)}; app ${perBatch(cpu?.bench)}; ` +
        `other ${cpu?.other.toFixed(2)} cores`,
    );
  };
  for (let rep = 0; rep < REPS; rep++) {
    for (const variant of VARIANTS) {
      if (!flags.variants.includes(variant.name)) continue;
      await measure("baseline");
      const restore = await drop(db, await variant.objects(db));
      await measure(`without ${variant.name}`);
      for (const def of restore) await db.sql.unsafe(def);
    }
  }
  await measure("baseline");
} finally {
  await bus.close();
  await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
  await db.close();
}
