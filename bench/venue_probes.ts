/**
 * bench:venue's attribution probes (bench/venue.ts, issue #14): where a loaded order's time goes besides
 * PostgreSQL.
 *
 * - `loopLag`: how late a 5 ms timer fires on the bench's (= the app's) event loop: every reply of an order's
 *   round trips waits that long for its turn behind the marker's synchronous work (evaluation slices, building
 *   and serializing its statements, publishing) and garbage collection.
 * - `workerAnchor`: the same bare write as bench/venue_anchor.ts, sent from a worker (its own event loop and
 *   connection) at the same moment's load: the floor PostgreSQL and the WAL set, without the loop's delays.
 *   Order p99 ÷ this is what the app adds; the in-process bare write ÷ this is what the loop alone adds.
 * - `tableWrites`: rows inserted and updated per table of the bench's schema over an interval, with the share
 *   of updates PostgreSQL made in place ("HOT": no new index entries), to see what the marks write.
 */
import type { Db } from "../db/client.ts";
import type { AnchorSample } from "./venue_anchor.ts";
import { percentile } from "./stats.ts";

/** Starts sampling the event loop's lag; `stop()` returns each sample's lateness (ms). */
export function loopLag(everyMs = 5): { stop(): number[] } {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - everyMs));
    last = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return lags;
    },
  };
}

/** A bare write as the worker timed it, and when it started (epoch ms). */
export interface TimedAnchor extends AnchorSample {
  at: number;
}

/**
 * Starts a worker that sends a bare write every `gapMs` on its own connection to `url`/`schema` (the table of
 * `prepareAnchor`); `stop()` returns every sample. 50 ms: about the rate of the in-process bare writes (one
 * after each order), so the probe adds as many commits to the load as they do, not a multiple.
 */
export function workerAnchor(url: string, schema: string, gapMs = 50) {
  const worker = new Worker(new URL("./venue_anchor_worker.ts", import.meta.url).href, { type: "module" });
  const samples = new Promise<TimedAnchor[]>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data as TimedAnchor[]);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`anchor worker: ${e.message}`));
    };
  });
  worker.postMessage({ url, schema, gapMs });
  return {
    /** Samples that started within [from, to] (epoch ms). */
    async stop(from: number, to: number): Promise<TimedAnchor[]> {
      worker.postMessage("stop");
      try {
        return (await samples).filter((s) => s.at >= from && s.at <= to);
      } finally {
        worker.terminate();
      }
    },
  };
}

/** Rows inserted / updated / updated in place, per table of the connection's schema (cumulative counters). */
export async function tableWrites(db: Db): Promise<Map<string, { ins: number; upd: number; hot: number }>> {
  // The statistics collector publishes a backend's counts at its transaction's end or within ~1 s; a snapshot
  // read in this transaction is consistent across tables.
  const rows = await db.sql<{ relname: string; ins: string; upd: string; hot: string }[]>`
    select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_user_tables
    where schemaname = current_schema()`;
  return new Map(
    rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) }]),
  );
}

/** `after` − `before` as text: the tables written, most rows first, e.g. `accounts 4000 upd (98 % HOT)`. */
export function tableWritesText(
  before: Map<string, { ins: number; upd: number; hot: number }>,
  after: Map<string, { ins: number; upd: number; hot: number }>,
  seconds: number,
): string {
  const rows = [...after].map(([name, a]) => {
    const b = before.get(name) ?? { ins: 0, upd: 0, hot: 0 };
    return { name, ins: a.ins - b.ins, upd: a.upd - b.upd, hot: a.hot - b.hot };
  }).filter((r) => r.ins + r.upd > 0).sort((x, y) => y.ins + y.upd - (x.ins + x.upd));
  const rate = (n: number) => (n / seconds).toFixed(0);
  return rows.map((r) =>
    `${r.name} ${
      [
        r.ins > 0 ? `${rate(r.ins)} ins/s` : "",
        r.upd > 0 ? `${rate(r.upd)} upd/s (${Math.round((100 * r.hot) / r.upd)} % HOT)` : "",
      ].filter(Boolean).join(" ")
    }`
  ).join(", ");
}

/**
 * The attribution line: the loop's lag, the worker's bare write, and the in-process bare write's and the
 * order's p99 as multiples of the worker's (1.0: the loop adds nothing).
 */
export function loopText(lags: number[], outside: number[], inside: number[], orders: number[]): string {
  const p = (xs: number[], q: number) => percentile(xs.toSorted((a, b) => a - b), q);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  return `event loop while loaded: lag p50 ${ms(p(lags, 50))} p99 ${ms(p(lags, 99))} max ${
    ms(p(lags, 100))
  }; ` +
    `bare write from a worker (own loop and connection) p50 ${ms(p(outside, 50))} p99 ${
      ms(p(outside, 99))
    } ` +
    `(${outside.length} writes) → in-process bare write p99 ${
      (p(inside, 99) / p(outside, 99)).toFixed(2)
    }×, ` +
    `order p99 ${(p(orders, 99) / p(outside, 99)).toFixed(2)}× the worker's`;
}

/**
 * Starts the three probes for a measured interval; `stop(seconds)` ends them and returns the loop's lags, the
 * worker's bare writes (ms) within the interval, and the rows written per table as text (per second over
 * `seconds`).
 */
export async function startProbes(db: Db, url: string, schema: string) {
  const rows0 = await tableWrites(db);
  const worker = workerAnchor(url, schema);
  const lag = loopLag();
  const from = Date.now();
  return {
    async stop(seconds: number) {
      const lags = lag.stop();
      const outside = (await worker.stop(from, Date.now())).map((a) => a.txMs);
      // The statistics collector publishes a backend's counts within ~1 s of its transactions.
      await new Promise((r) => setTimeout(r, 1100));
      return { lags, outside, rows: tableWritesText(rows0, await tableWrites(db), seconds) };
    },
  };
}
