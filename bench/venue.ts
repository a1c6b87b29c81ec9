/**
 * Venue benchmark (DESIGN §5, issue #14): prints figures, asserts nothing.
 *
 * Load: `--accounts` (2,000) FTMO-style 100K accounts on real PostgreSQL + Redis (a scratch schema, dropped at
 * the end), each holding one position (opened through the engine path) spread over the 7 seeded symbols;
 * the marker (services/venue/marker.ts) follows them while this process plays the feed leader: every 100 ms
 * one tick per symbol (7 symbols × 10 ticks/s), a small random walk, applied to the process's PriceBook.
 *
 * Figures, each against an anchor measured in the same run:
 * - evaluations: (tick, holder) pairs the marker evaluated vs. the ticks × holders that were due (every tick
 *   for every holder: the ratio must be 1.00000), and the marker's commits per second. Due is counted from
 *   outside the marker (`dueEvaluations`): an order account from the tick after its first fill's own; a pair
 *   the marker evaluated again after a reload found the account's positions changed counts once;
 * - tick → SSE frame: a signed-in subscriber of `GET /api/venue/stream` (in-process through app.request, the
 *   stream's own coalescing included), from the tick's creation to the frame naming it; p50/p99, loaded vs.
 *   the same probe with no account held (the anchor);
 * - CPU of this process (app + marker + feed; /proc) and of PostgreSQL and Redis, in cores (target ≤ 1 of 2
 *   for the app), vs. the same process on the idle venue (feed and probe only: the anchor);
 * - where the marker's time goes: CPU per tick batch evaluated, each flush from first to last chunk, the
 *   statements its writes of marks issued per second, and the accounts that took the engine path;
 * - market order latency (placeOrder through the engine path, while the load runs): p50/p99, target p99 ≤
 *   20 ms, vs. a bare one-row write transaction on the same database right after each order (the floor of
 *   any durable write, bench/venue_anchor.ts), and vs. the same orders and writes on the idle venue;
 * - bench/venue_probes.ts: the event loop's lag, the bare write from a worker (own loop and connection: what
 *   PostgreSQL and the WAL alone cost then), rows written per table (updates in place: HOT) beside the WAL.
 *
 * Usage: DATABASE_URL=… REDIS_URL=… deno task bench:venue [--accounts=2000] [--seconds=10] [--orders=200]
 *   [--flush-ms=1000] [--order-book=10]
 *   [--flush-chunk=N (accounts per statement of marks; the marker's default when absent)]
 */
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { createBus } from "../services/bus/mod.ts";
import { uniqueSchemaName } from "../tests/helpers/db.ts";
import { openTestApp } from "../tests/helpers/app.ts";
import { signUp } from "../tests/helpers/client.ts";
import { createBenchAccounts } from "./engine_server.ts";
import { cpuSnapshot, cpuText, cpuUsage } from "./engine_cpu.ts";
import { listInstruments } from "../services/venue/instruments.ts";
import type { Tick } from "../services/venue/price_book.ts";
import { commitVenue } from "../services/venue/engine_path.ts";
import { newTradeId } from "../services/venue/settle.ts";
import { VenueMarker } from "../services/venue/marker.ts";
import { durabilitySettings, prepareAnchor } from "./venue_anchor.ts";
import { openProbe, startFeed } from "./venue_feed.ts";
import {
  measureOrders,
  onOrderQuery,
  openOrderAccounts,
  type OrderFigures,
  watchQuotes,
} from "./venue_orders.ts";
import { loopText, startProbes } from "./venue_probes.ts";
import { addDecimal, divDecimal, mulDecimal, placesOf, subDecimal } from "../services/venue/decimal.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({
  accounts: flag.number(2000),
  seconds: flag.number(10),
  orders: flag.number(200),
  /** Orders an account takes before the next one does (0: one account for all; see `orderAccounts`). */
  "order-book": flag.number(10),
  /** How often dirty accounts' marks are written (the budget allows at most once a second). */
  "flush-ms": flag.number(1000),
  /** Accounts per statement of marks; the marker's default when absent. */
  "flush-chunk": flag.number(),
});
const ACCOUNTS = flags.accounts;
const SECONDS = flags.seconds;
const ORDERS = flags.orders;
const ORDER_BOOK = flags["order-book"];
const FLUSH_MS = flags["flush-ms"];
const FLUSH_CHUNK = flags["flush-chunk"];
const url = Deno.env.get("DATABASE_URL");
const redisUrl = Deno.env.get("REDIS_URL");
if (!url || !redisUrl) {
  console.error("bench:venue needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).");
  Deno.exit(2);
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

const schema = uniqueSchemaName("bench_venue");
/** The application_name of the bench's connections, so the CPU figures count its PostgreSQL backends. */
const APP_NAME = "bench_venue";
const named = new URL(url);
named.searchParams.set("application_name", APP_NAME);
const db = await openDb({ url: named.toString(), schema, poolMax: 10, onQuery: onOrderQuery });
const bus = await createBus({ redisUrl });
const cpuScope = { db, appName: APP_NAME, postgres: true, redis: true };
/** Drops the scratch schema, once; said on stderr if it cannot be (it holds 2,000 accounts' rows). */
let dropped = false;
const dropSchema = async () => {
  if (dropped) return;
  dropped = true;
  await db.sql.unsafe(`drop schema if exists "${schema}" cascade`)
    .catch((error) => console.error(`bench:venue: scratch schema ${schema} not dropped: ${error.message}`));
};
try {
  await migrate(db);
  const { app, deps, close } = await openTestApp({ db, bus });
  try {
    await run(app, deps);
  } finally {
    // Before `close`, which ends `db` too: the drop used to come after it and failed unseen, leaving every
    // run's schema behind.
    await dropSchema();
    await close();
  }
} finally {
  await dropSchema();
  await bus.close();
  await db.close();
}

async function run(
  app: Awaited<ReturnType<typeof openTestApp>>["app"],
  deps: Awaited<ReturnType<typeof openTestApp>>["deps"],
) {
  const instruments = await listInstruments(db.sql);
  const mids = new Map(instruments.map((i) => [i.symbol, i.referencePrice]));
  const bySymbol = new Map(instruments.map((i) => [i.symbol, i]));
  const symbols = instruments.map((i) => i.symbol);
  const makeBatch = (): Tick[] => {
    const at = Date.now();
    return symbols.map((symbol) => {
      const inst = bySymbol.get(symbol)!;
      const places = placesOf(inst.tickSize);
      // ±3 ticks of the grid, a walk that stays near the reference (accounts rarely breach).
      const steps = Math.floor(Math.random() * 7) - 3;
      let mid = addDecimal(mids.get(symbol)!, mulDecimal(inst.tickSize, String(steps), places));
      if (Math.random() < 0.05) mid = inst.referencePrice;
      mids.set(symbol, mid);
      const half = divDecimal(inst.spread, "2", places);
      return { symbol, bid: subDecimal(mid, half), ask: addDecimal(mid, half), at };
    });
  };
  deps.prices.apply(makeBatch());
  watchQuotes(deps.prices);
  await prepareAnchor(db);
  console.log(`durability: ${await durabilitySettings(db)}`);

  // ---- market orders and the SSE probe on the idle venue (the anchors)
  const trader = await signUp(app);
  // Each order opens 0.01 BTC (~$325 of margin at 1:2) and keeps it: an account takes ORDER_BOOK orders, then
  // the next account does (a trader's book of a few positions; each order values the whole book twice). With
  // --order-book=0 one account takes them all (up to 300 open positions: the bench before issue #14's fix).
  const measured = Math.min(ORDERS, 100) + ORDERS;
  const hourAgo = new Date(Date.now() - 3_600_000);
  // The last account takes the warm-up's orders (not measured).
  const orderAccounts = await openOrderAccounts(
    db,
    trader.userId,
    (ORDER_BOOK > 0 ? Math.ceil(measured / ORDER_BOOK) : 1) + 1,
    hourAgo,
  );
  const warmAccount = orderAccounts.pop()!;
  let placed = 0;
  const orderLatency = (n: number, warm = false) =>
    measureOrders(
      deps,
      trader.userId,
      n,
      () => warm ? warmAccount : orderAccounts[ORDER_BOOK > 0 ? Math.floor(placed++ / ORDER_BOOK) : 0],
    );
  const sse = await openProbe(app, trader.accessToken);
  const apply = (ticks: Tick[]) => deps.prices.apply(ticks);
  const feed = startFeed(makeBatch, apply);
  await new Promise((r) => setTimeout(r, 500));
  // Warm-up (prepared statements, caches), not measured: the figures are of the steady state.
  const warmOrders = await orderLatency(10, true);
  const idleOrders = await orderLatency(Math.min(ORDERS, 100));
  sse.latencies.length = 0;
  const idleCpu0 = cpuSnapshot();
  await new Promise((r) => setTimeout(r, 3000));
  const idleCpu = await cpuUsage(cpuScope, idleCpu0, cpuSnapshot(), null);
  const idleSse = sse.latencies.splice(0);
  await feed.stop();

  // ---- the holders
  const t0 = performance.now();
  const { accountIds } = await createBenchAccounts(db, ACCOUNTS, new Date(Date.now() - 3_600_000), 8);
  const created = performance.now() - t0;
  const t1 = performance.now();
  for (let i = 0; i < accountIds.length; i += 200) {
    const chunk = accountIds.slice(i, i + 200);
    await commitVenue(
      deps,
      chunk.map((accountId, j) => {
        const symbol = symbols[(i + j) % symbols.length];
        const tick = deps.prices.latest(symbol)!;
        const direction = (i + j) % 2 ? "buy" as const : "sell" as const;
        return {
          accountId,
          quotes: deps.prices,
          at: Date.now(),
          plan: () => ({
            opens: [{
              id: crypto.randomUUID(),
              accountId,
              tradeId: newTradeId(),
              symbol,
              direction,
              volume: symbol === "BTCUSD" ? "0.10" : "0.50",
              openPrice: direction === "buy" ? tick.ask : tick.bid,
              openedAt: new Date(),
              sl: null,
              tp: null,
            }],
          }),
        };
      }),
    );
  }
  const opened = performance.now() - t1;

  const marker = new VenueMarker(deps, { flushMs: FLUSH_MS, flushChunk: FLUSH_CHUNK });
  await marker.start();
  console.log(
    `venue bench: ${ACCOUNTS} accounts (created in ${(created / 1000).toFixed(1)} s), ` +
      `positions opened through the engine path in ${
        (opened / 1000).toFixed(1)
      } s; holders followed: ${marker.holders}`,
  );

  // Every tick the book applies from here on, in order: the marker is given the same batches in the same order
  // (the feed is stopped until now), so its n-th tick counted is `applied[n - ticksAtRecord - 1]`.
  const applied: Tick[] = [];
  const unrecord = deps.prices.subscribe((ticks) => applied.push(...ticks));
  const ticksAtRecord = marker.stats.ticks;

  // ---- the load
  marker.stats.commitMs.length = 0;
  marker.stats.evalMs.length = 0;
  marker.stats.flushMs.length = 0;
  const feed2 = startFeed(makeBatch, apply);
  await new Promise((r) => setTimeout(r, 1000));
  sse.latencies.length = 0;
  // Between the marker's jobs: `ticks` is counted as a tick's evaluations begin, so a count taken in the middle
  // of a tick would leave part of its holders' evaluations in the window without the tick.
  await marker.idle();
  const evalBefore = marker.stats.evaluations;
  const replayedBefore = marker.stats.replayed;
  const reevaluatedBefore = marker.stats.reevaluated;
  const ticksBefore = marker.stats.ticks;
  const flushedBefore = marker.stats.flushed;
  const urgentBefore = marker.stats.urgent;
  const statementsBefore = marker.stats.statements;
  const engineBefore = marker.stats.engine;
  const batchesBefore = marker.stats.batches;
  const probes = await startProbes(db, url!, schema);
  const cpu0 = cpuSnapshot();
  const [{ lsn: wal0 }] = await db.sql<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
  const w0 = performance.now();
  const loadedOrders = await orderLatency(ORDERS);
  const remaining = SECONDS * 1000 - (performance.now() - w0);
  if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
  const cpu1 = cpuSnapshot();
  const wall = (performance.now() - w0) / 1000;
  const [{ bytes: walBytes }] = await db.sql<{ bytes: string }[]>`
    select (pg_current_wal_insert_lsn() - ${wal0}::pg_lsn)::text as bytes`;
  const { lags, outside, rows } = await probes.stop(wall);
  await feed2.stop();
  await marker.idle();
  const loadedSse = sse.latencies.splice(0);
  // A tick evaluated again for an account whose positions changed is one pair evaluated twice.
  const reevaluated = marker.stats.reevaluated - reevaluatedBefore;
  const evaluations = marker.stats.evaluations - evalBefore - reevaluated;
  const ticks = marker.stats.ticks - ticksBefore;
  unrecord();
  const window = applied.slice(ticksBefore - ticksAtRecord);
  const due = dueEvaluations(symbols, window, applied, [
    ...warmOrders.fills,
    ...idleOrders.fills,
    ...loadedOrders.fills,
  ]);
  const holdersAtEnd = accountIds.length + due.orderAccounts;
  const usage = await cpuUsage(cpuScope, cpu0, cpu1, null);
  await marker.stop();
  sse.close();

  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}× anchor`;
  console.log(
    `ticks: ${ticks} in ${wall.toFixed(1)} s (${(ticks / wall).toFixed(0)}/s; feed ${feed2.sent()} sent)`,
  );
  console.log(
    `evaluations: ${evaluations} (${(evaluations / wall).toFixed(0)}/s) of ${due.total} due → ` +
      `${(evaluations / due.total).toFixed(5)} (target 1.00000: every tick for every holder; ` +
      `${marker.stats.replayed - replayedBefore} of them on ticks a new position missed before its reload, ` +
      `and ${reevaluated} more again at changed positions; ` +
      `${
        due.orderAccounts - due.late
      } order accounts holding all along, ${due.late} from their fill's tick on` +
      (window.length === ticks ? "" : `; ticks recorded ${window.length} ≠ ${ticks} counted: due is off`) +
      (marker.holders === holdersAtEnd ? "" : `; holders ${marker.holders} ≠ ${holdersAtEnd}: a breach?`) +
      `)`,
  );
  console.log(
    `writes: ${marker.stats.flushed - flushedBefore} flushed marks, ${marker.stats.urgent - urgentBefore} ` +
      `urgent (highs, verdicts, SL/TP); commit p50 ${ms(pct(marker.stats.commitMs, 50))} p99 ` +
      `${ms(pct(marker.stats.commitMs, 99))} (${marker.stats.commitMs.length} commits)`,
  );
  const st = marker.stats;
  console.log(
    `marker: evaluation CPU per batch p50 ${ms(pct(st.evalMs, 50))} p99 ${ms(pct(st.evalMs, 99))} ` +
      `(${st.batches - batchesBefore} batches); flush p50 ${ms(pct(st.flushMs, 50))} p99 ` +
      `${ms(pct(st.flushMs, 99))} (${st.flushMs.length} flushes); ` +
      `${((st.statements - statementsBefore) / wall).toFixed(1)} mark statements/s for ` +
      `${((marker.stats.flushed - flushedBefore + marker.stats.urgent - urgentBefore) / wall).toFixed(0)} ` +
      `accounts/s; ${st.engine - engineBefore} accounts through the engine path`,
  );
  console.log(
    `tick → SSE frame: loaded p50 ${ms(pct(loadedSse, 50))} p99 ${ms(pct(loadedSse, 99))} ` +
      `(${loadedSse.length} frames; target p99 ≤ 100 ms) vs idle p50 ${ms(pct(idleSse, 50))} p99 ` +
      `${ms(pct(idleSse, 99))} → p99 ${ratio(pct(loadedSse, 99), pct(idleSse, 99))}`,
  );
  const anchorText = (orders: OrderFigures) => {
    const tx = orders.anchors.map((a) => a.txMs);
    const commit = orders.anchors.map((a) => a.commitMs);
    return `p50 ${ms(pct(orders, 50))} p99 ${ms(pct(orders, 99))} (from its COMMIT on p50 ` +
      `${ms(pct(orders.commits, 50))} p99 ${ms(pct(orders.commits, 99))}; ` +
      `${pct(orders.statements, 50)} statements); bare write (BEGIN, 1-row INSERT, ` +
      `COMMIT) p50 ${ms(pct(tx, 50))} p99 ${ms(pct(tx, 99))}, its COMMIT p50 ${ms(pct(commit, 50))} p99 ` +
      `${ms(pct(commit, 99))} → order/bare write p50 ${(pct(orders, 50) / pct(tx, 50)).toFixed(2)}× p99 ` +
      `${(pct(orders, 99) / pct(tx, 99)).toFixed(2)}×`;
  };
  console.log(
    `WAL written while loaded: ${(Number(walBytes) / wall / 1e6).toFixed(1)} MB/s (the server's, every ` +
      `database: each COMMIT's flush waits for what was written before it); rows: ${rows}`,
  );
  console.log(`market order, loaded (target p99 ≤ 20 ms): ${anchorText(loadedOrders)}`);
  console.log(`market order, idle venue: ${anchorText(idleOrders)}`);
  console.log(loopText(lags, outside, loadedOrders.anchors.map((a) => a.txMs), loadedOrders));
  console.log(
    `market order p99 loaded vs idle: ${ratio(pct(loadedOrders, 99), pct(idleOrders, 99))}`,
  );
  console.log(
    `CPU (cores, target app ≤ 1.0 of 2): ${cpuText(usage)} vs idle venue ${cpuText(idleCpu)} → bench ` +
      `${usage && idleCpu ? ratio(usage.bench, idleCpu.bench) : "n/a"}`,
  );
}

/**
 * The (tick, holder) pairs due in `window` (the ticks the marker processed while loaded), counted from outside
 * the marker: bench account i holds symbols[i % 7] all along; an order account holds BTCUSD from the first
 * BTCUSD tick after the tick its first fill was valued at (the fill's own mark covers that one) — or all along
 * when that fill came before `applied` began. `applied` is every tick the book applied since recording began.
 */
function dueEvaluations(
  symbols: readonly string[],
  window: readonly Tick[],
  applied: readonly Tick[],
  fills: OrderFigures["fills"],
): { total: number; orderAccounts: number; late: number } {
  const perSymbol = new Map<string, number>();
  for (let i = 0; i < ACCOUNTS; i++) {
    const symbol = symbols[i % symbols.length];
    perSymbol.set(symbol, (perSymbol.get(symbol) ?? 0) + 1);
  }
  let total = 0;
  for (const tick of window) total += perSymbol.get(tick.symbol) ?? 0;
  const first = new Map<string, Tick>();
  for (const f of fills) if (f.tick && !first.has(f.accountId)) first.set(f.accountId, f.tick);
  const start = applied.length - window.length;
  let late = 0;
  const all = window.filter((t) => t.symbol === "BTCUSD").length;
  for (const tick of first.values()) {
    // -1: filled before recording began, so before the window.
    const at = applied.indexOf(tick);
    let own = 0;
    for (let i = Math.max(start, at + 1); i < applied.length; i++) {
      if (applied[i].symbol === "BTCUSD") own++;
    }
    if (own < all) late++;
    total += own;
  }
  return { total, orderAccounts: first.size, late };
}
