/**
 * What each part of the schema costs a demo-sync batch (issue 15, "Ingest efficiency"): the in-process
 * batch-10 load of the engine benchmark, measured as database CPU per batch (this script's backends and
 * the server's background processes, from /proc) and batches/s, first on the migrated schema, then again
 * after each step of `STEPS` is applied on top of the previous ones (dropping a trigger, the foreign keys,
 * indexes...). The difference between two lines is what that step's objects cost. Measurement only: the
 * steps break guarantees the app relies on, and run in a scratch schema that is dropped at the end.
 *
 * Usage: DATABASE_URL=… deno run -A bench/engine_ablate.ts [--accounts=1000] [--seconds=6] [--batch=10]
 *   [--concurrency=16] [--steps=name,name] (default: all, in order)
 */
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { createBus } from "../services/bus/mod.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { cpuSnapshot, cpuUsage } from "./engine_cpu.ts";
import { createBenchAccounts } from "./engine_server.ts";
import { inProcessSender, runLoad } from "./engine_load.ts";
import { makeSims } from "./engine_traders.ts";

const flags = Object.fromEntries(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=") as [string, string]),
);
const ACCOUNTS = Number(flags.accounts ?? 1000);
const SECONDS = Number(flags.seconds ?? 6);
const BATCH = Number(flags.batch ?? 10);
const CONCURRENCY = Number(flags.concurrency ?? 16);

/** Cumulative steps: each line of the output has every step up to its own applied. */
const STEPS: { name: string; sql: string }[] = [
  { name: "baseline", sql: "" },
  {
    name: "trader-days trigger with an empty body",
    sql: "create or replace function note_trader_days() returns trigger language plpgsql as $$ " +
      "begin return null; end $$",
  },
  { name: "no trader-days trigger", sql: "drop trigger account_events_trader_days on account_events" },
  {
    name: "no foreign keys to accounts on the written tables",
    sql: ["account_events", "account_changes", "trades", "daily_stats", "equity_samples"]
      .map((t) => `alter table ${t} drop constraint ${t}_account_id_fkey`).join(";"),
  },
  { name: "no account_events_at_idx", sql: "drop index account_events_at_idx" },
  {
    name: "no trades secondary indexes",
    sql:
      "drop index trades_account_opened_idx, trades_account_symbol_opened_idx, trades_account_closed_idx, " +
      "trades_account_closed_pnl_idx, trades_blocked_idx",
  },
  { name: "no equity_samples_at_idx", sql: "drop index equity_samples_at_idx" },
  { name: "no check constraints", sql: dropChecks() },
];

function dropChecks(): string {
  return `do $$ declare r record; begin
    for r in select conrelid::regclass as t, conname from pg_constraint
      where contype = 'c' and connamespace = current_schema()::regnamespace
        and conrelid::regclass::text in ('account_events', 'account_changes', 'trades', 'equity_samples')
    loop execute format('alter table %s drop constraint %I', r.t, r.conname); end loop; end $$`;
}

const url = Deno.env.get("DATABASE_URL");
if (!url) throw new Error("engine_ablate: set DATABASE_URL (a real PostgreSQL server)");
const only = flags.steps?.split(",");

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
  for (const step of STEPS) {
    if (step.sql) await db.sql.unsafe(step.sql);
    if (only && !only.includes(step.name) && step.name !== "baseline") continue;
    await runLoad({ ...spec, seconds: 1 });
    const before = cpuSnapshot();
    const stats = await runLoad({ ...spec, seconds: SECONDS });
    const after = cpuSnapshot();
    const cpu = await cpuUsage({ db, appName, postgres: true, redis: false }, before, after, null);
    const perBatch = (cores: number | null | undefined) =>
      cores == null ? "n/a" : ((cores * 1000 * stats.seconds) / stats.batches).toFixed(3);
    console.log(
      `${step.name.padEnd(52)} ${(stats.batches / stats.seconds).toFixed(0).padStart(5)} batches/s; ` +
        `DB CPU ms/batch: backends ${perBatch(cpu?.postgresBackends)}, with server ${
          perBatch(cpu?.postgres)
        }; app ${perBatch(cpu?.bench)}; other ${cpu?.other.toFixed(2)} cores`,
    );
  }
} finally {
  await bus.close();
  await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
  await db.close();
}
