/**
 * GDPR export of a heavy trader: how much memory the streamed export holds and how fast it goes, against an
 * anchor measured in the same run — the naive export (every trade read in one query, then one
 * `JSON.stringify`). Prints figures, asserts nothing. "Live heap" is the heap after a forced GC at points during
 * the work (every 50 chunks; for the anchor, while its string exists): what the export actually holds, where
 * peak RSS also counts garbage V8 has not collected yet. Run with `--v8-flags=--expose-gc` (the task does).
 *
 * Data: with DATABASE_URL, a fresh schema on that server (dropped afterwards); without, embedded PGlite in
 * memory. Usage: deno task bench:gdpr-export [--trades=200000]
 */
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { openAccount } from "../services/accounts/open.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { exportUserData } from "../services/privacy/export.ts";
import { benchFlags, flag } from "./flags.ts";

const trades = benchFlags({ trades: flag.number(200_000) }).trades;
const url = Deno.env.get("DATABASE_URL");
const schema = `bench_gdpr_${Date.now().toString(36)}`;
const db = await openDb(url ? { url, schema, poolMax: 4 } : { dataDir: "memory://" });
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

try {
  await migrate(db);
  const [{ id: userId }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values ('bench@example.test', 'x') returning id`;
  const accountId = await db.tx(async (tx) => {
    const { versionId } = await insertPlan(tx, { slug: "bench", family: "Bench", body: ftmo100k() });
    const [{ id: challengeId }] = await tx<{ id: string }[]>`
      insert into challenges (user_id, plan_version_id, status, started_at)
      values (${userId}, ${versionId}, 'active', now()) returning id`;
    const opened = await openAccount(tx, {
      userId,
      challengeId,
      planVersionId: versionId,
      stage: 0,
      at: new Date(),
    });
    return opened.accountId;
  });
  await db.sql`
    insert into trades (account_id, external_id, symbol, direction, volume, entry_price, exit_price, pnl, status,
                        opened_at, closed_at)
    select ${accountId}, 'b-' || i, 'EURUSD', 'buy', 1, 1.1, 1.2, (i % 7) - 3, 'closed',
           now() - interval '30 days' + i * interval '1 s', now() - interval '30 days' + i * interval '1 s'
    from generate_series(1, ${trades}) i`;
  await db.sql`analyze trades`;

  // Peak RSS above the start, sampled while the work runs (after a GC where the runtime allows it).
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  let live = 0;
  let heapBase = 0;
  /** Records the live heap above the start of the current measurement. */
  const sampleLive = () => {
    gc();
    live = Math.max(live, Deno.memoryUsage().heapUsed - heapBase);
  };
  const measure = async (work: () => Promise<number>) => {
    gc();
    live = 0;
    heapBase = Deno.memoryUsage().heapUsed;
    const base = Deno.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 5);
    const started = performance.now();
    const bytes = await work();
    const ms = performance.now() - started;
    clearInterval(timer);
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return { ms, bytes, growth: peak - base, live };
  };

  const streamed = await measure(async () => {
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of await exportUserData(db.sql, userId, new Date())) {
      bytes += chunk.length;
      if (++chunks % 50 === 0) sampleLive();
    }
    return bytes;
  });
  const naive = await measure(async () => {
    const rows = await db.sql`select * from trades where account_id = ${accountId} order by opened_at, id`;
    const text = JSON.stringify({ trades: rows });
    sampleLive();
    return new TextEncoder().encode(text).length;
  });

  console.log(`GDPR export of one trader with ${trades.toLocaleString("en")} trades (db: ${db.kind})`);
  console.log(
    `  anchor, naive (one query + one JSON.stringify): ${naive.ms.toFixed(0)} ms, ` +
      `live heap +${mb(naive.live)}, peak RSS +${mb(naive.growth)}, output ${mb(naive.bytes)}`,
  );
  console.log(
    `  streamed export (1,000-row pages, 64 KiB chunks): ${streamed.ms.toFixed(0)} ms, ` +
      `live heap +${mb(streamed.live)}, peak RSS +${mb(streamed.growth)}, output ${mb(streamed.bytes)}`,
  );
  console.log(`  live heap streamed / naive: ${(streamed.live / Math.max(naive.live, 1)).toFixed(3)}×`);
  console.log(
    `  peak RSS growth streamed / naive: ${(streamed.growth / Math.max(naive.growth, 1)).toFixed(2)}×`,
  );
  console.log(`  time streamed / naive: ${(streamed.ms / naive.ms).toFixed(2)}×`);
  console.log(`  streamed rows/s: ${Math.round(trades / (streamed.ms / 1000)).toLocaleString("en")}`);
} finally {
  if (url) await db.sql.unsafe(`drop schema if exists "${schema}" cascade`);
  await db.close();
}
