/**
 * Saturation bench for transactions on the postgres.js pool (porsager/postgres#1189): prints figures, asserts
 * nothing. `--concurrency` workers loop for `--seconds`, each either a plain query or (with probability
 * `--tx`) a two-statement transaction, through either the driver's `sql.begin` (`--impl=begin`, the old
 * `db.tx`) or db/transaction.ts (`--impl=reserve`, the current one). Every statement reads `txid_current()`:
 * outside a transaction each has its own txid, so a txid seen twice by plain queries means they ran inside a
 * transaction someone left open ("leaked").
 *
 * Data: with DATABASE_URL, that server (only `select`s, no schema needed); without, embedded PGlite served as
 * db/embedded.ts serves it, with the app's pool of one.
 *
 * Usage: deno task bench:pg-pipeline [--impl=begin,reserve] [--max=1,4] [--pipeline=100,10]
 *   [--concurrency=200,2000] [--tx=0.05] [--seconds=3]
 * Lists run every combination (`--max` is ignored in embedded mode, always 1).
 */
import postgres from "postgres";
import { startEmbedded } from "../db/embedded.ts";
import { runTransaction } from "../db/transaction.ts";
import { benchFlags, flag } from "./flags.ts";

type Impl = "begin" | "reserve";
type Run = { impl: Impl; max: number; pipeline: number; concurrency: number };
type Figures = {
  tx: number;
  plain: number;
  errors: Map<string, number>;
  unhandled: number;
  leaked: number;
  txP99Ms: number;
};

const flags = benchFlags({
  impl: flag.someOf(["begin", "reserve"]),
  max: flag.numbers([1, 4]),
  pipeline: flag.numbers([100, 10]),
  concurrency: flag.numbers([200, 2000]),
  tx: flag.number(0.05),
  seconds: flag.number(3),
});
const url = Deno.env.get("DATABASE_URL");
const txShare = flags.tx;
const seconds = flags.seconds;

let unhandled = 0;
// The old path rejects a lost transaction's own queries where nobody listens; count instead of crashing.
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  unhandled++;
});

const embedded = url ? undefined : await startEmbedded("memory://");
try {
  console.log(
    `pg_pipeline: ${
      url ? "PostgreSQL " + new URL(url).host : "embedded PGlite"
    }, tx share ${txShare}, ${seconds}s per run`,
  );
  console.log(
    "impl     max pipe  conc |     tx/s  plain/s  tx p99 ms | tx errors                         unhandled leaked",
  );
  for (const impl of flags.impl) {
    for (const max of url ? flags.max : [1]) {
      for (const pipeline of flags.pipeline) {
        for (const concurrency of flags.concurrency) {
          const f = await measure({ impl, max, pipeline, concurrency });
          const errors = [...f.errors].map(([m, n]) => `${n}× ${m}`).join("; ") || "0";
          console.log(
            `${impl.padEnd(8)} ${String(max).padStart(3)} ${String(pipeline).padStart(4)} ${
              String(concurrency).padStart(5)
            } | ${rate(f.tx)} ${rate(f.plain)} ${f.txP99Ms.toFixed(1).padStart(10)} | ${errors.padEnd(33)} ${
              String(f.unhandled).padStart(9)
            } ${String(f.leaked).padStart(6)}`,
          );
        }
      }
    }
  }
} finally {
  await embedded?.stop();
}

function rate(n: number): string {
  return Math.round(n / seconds).toString().padStart(8);
}

async function measure(run: Run): Promise<Figures> {
  const options = { max: run.max, max_pipeline: run.pipeline, onnotice: () => {}, max_lifetime: null };
  const sql = url ? postgres(url, options) : postgres({
    ...options,
    host: embedded!.host,
    port: embedded!.port,
    user: "postgres",
    database: "postgres",
  });
  const before = unhandled;
  const f: Figures = { tx: 0, plain: 0, errors: new Map(), unhandled: 0, leaked: 0, txP99Ms: 0 };
  const seen = new Set<string>();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const body = async (tx: postgres.TransactionSql) => {
    const [{ a }] = await tx<{ a: string }[]>`select txid_current()::text as a`;
    const [{ b }] = await tx<{ b: string }[]>`select txid_current()::text as b`;
    if (a !== b) throw new Error("statements of one transaction ran in two");
  };
  const transaction = run.impl === "begin"
    ? (fn: typeof body) => sql.begin(fn)
    : (fn: typeof body) => runTransaction(sql, fn);
  const worker = async () => {
    while (performance.now() < deadline) {
      if (Math.random() < txShare) {
        const start = performance.now();
        try {
          await withTimeout(transaction(body));
          f.tx++;
          latencies.push(performance.now() - start);
        } catch (err) {
          const message = String(err).slice(0, 60);
          f.errors.set(message, (f.errors.get(message) ?? 0) + 1);
        }
      } else {
        try {
          const [{ x }] = await withTimeout(sql<{ x: string }[]>`select txid_current()::text as x`);
          if (seen.has(x)) f.leaked++;
          seen.add(x);
          f.plain++;
        } catch (err) {
          const message = "plain: " + String(err).slice(0, 50);
          f.errors.set(message, (f.errors.get(message) ?? 0) + 1);
        }
      }
    }
  };
  try {
    await sql`select 1`;
    await Promise.all(Array.from({ length: run.concurrency }, worker));
  } finally {
    await sql.end({ timeout: 1 });
  }
  latencies.sort((x, y) => x - y);
  f.txP99Ms = latencies[Math.floor(latencies.length * 0.99)] ?? NaN;
  f.unhandled = unhandled - before;
  return f;
}

/** A stuck operation (a transaction waiting on a connection that will never come back) counts as an error. */
function withTimeout<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error("timeout after 10 s")), ms)),
  ]).finally(() => clearTimeout(timer));
}
