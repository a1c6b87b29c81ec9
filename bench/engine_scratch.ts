/**
 * The scratch database the engine's side benches (engine_explain.ts, engine_write_cpu.ts) measure in: a schema
 * of its own on DATABASE_URL, migrated, with `accounts` bench accounts filled by `warmSeconds` of the engine
 * benchmark's in-process load, so tables and indexes have a realistic size; dropped when `fn` settles.
 */
import { type Db, openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { type Bus, createBus } from "../services/bus/mod.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { createBenchAccounts } from "./engine_server.ts";
import { inProcessSender, runLoad, type RunStats } from "./engine_load.ts";
import { type AccountSim, makeSims } from "./engine_traders.ts";

export interface WarmScratch {
  url: string;
  schema: string;
  db: Db;
  bus: Bus;
  /** One simulated trader per account, with events for `simSeconds`. */
  sims: AccountSim[];
  warm: RunStats;
}

export async function withWarmScratch<T>(
  label: string,
  o: { accounts: number; warmSeconds: number; simSeconds: number; batch: number },
  fn: (scratch: WarmScratch) => Promise<T>,
): Promise<T> {
  const url = Deno.env.get("DATABASE_URL");
  if (!url) throw new Error(`${label}: set DATABASE_URL (a real PostgreSQL server)`);
  const schema = uniqueSchemaName(`bench_${label}`);
  const db = await openDb({ url, schema, poolMax: 10 });
  const bus = await createBus({});
  try {
    await migrate(db);
    const { accountIds } = await createBenchAccounts(db, o.accounts, new Date(), 8);
    const sims = makeSims(accountIds, o.simSeconds, 0);
    const send = inProcessSender({ db, bus });
    const warm = await runLoad({
      sims,
      batch: o.batch,
      concurrency: 16,
      seconds: o.warmSeconds,
      rate: 0,
      send,
    });
    await db.sql`analyze`;
    return await fn({ url, schema, db, bus, sims, warm });
  } finally {
    await bus.close();
    await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
    await db.close();
  }
}
