/**
 * The database going away under load — every connection dropped, then refused for a second, a few times —
 * must cost only the statements in flight: each `db.tx` and query settles (most fail with a connection
 * error), no statement runs in another transaction, nothing is thrown where nobody listens, and the pool
 * answers again afterwards. postgres.js 3.4.9 fails this (found by restarting a real server under
 * `db.tx` loops): a transaction's statement sent on its reserved connection after the connection closed is
 * written to a socket that is gone (an uncaught TypeError in connection.js nextWrite) or, by the driver's
 * code, to the connection the pool reopened for someone else, and that `db.tx` never settles; with all the
 * pool's connections held so, nothing answers any more.
 *
 * The shared PostgreSQL is not restarted (other tests use it): a proxy of our own drops and refuses the
 * connections (tests/helpers/cut_proxy.ts).
 */
import assert from "node:assert/strict";
import { isDatabaseUnavailable, openDb } from "../db/client.ts";
import { cutProxy } from "./helpers/cut_proxy.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";

const TX_LOOPS = 8;
const QUERY_LOOPS = 2;
/**
 * The outages: how long the loops run on a pool that answers before each (varied, so the cut lands at
 * different points of their work), and how long connections are then refused. The last is as long as
 * bench:load's PostgreSQL fault: the driver's default reconnect backoff (3× per attempt, up to 20 s) would
 * then wait seconds past the server's return.
 */
const OUTAGES = [
  { busyMs: 500, refusedMs: 1_000 },
  { busyMs: 250, refusedMs: 1_000 },
  { busyMs: 400, refusedMs: 5_000 },
];
/** How long the loops go on after the last outage. */
const TAIL_MS = 300;
/** How long after the proxy accepts again an operation must succeed (db/client.ts waits ≤ 1 s to retry). */
const RECOVER_MS = 2_000;
/** How long after the loops stop every operation must have settled. */
const SETTLE_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves to "timeout" after `ms` (the timer is cleared when `promise` wins). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<"timeout">((r) => timer = setTimeout(r, ms, "timeout"))]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `${code ?? (error as Error)?.name}: ${(error as Error)?.message ?? String(error)}`;
}

type Op = { kind: "tx" | "query"; loop: number; settled: boolean; error?: unknown };

Deno.test({
  name: "connections lost mid-transaction: every db.tx and query settles, none runs in another's transaction",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set"),
  async fn() {
    const real = new URL(testEnv.databaseUrl!);
    const proxy = cutProxy({ hostname: real.hostname, port: Number(real.port || 5432) });
    const url = new URL(real);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);

    // A TypeError thrown in the driver's setImmediate surfaces as an "error" event, a lost promise as an
    // "unhandledrejection": recorded (and kept from ending the run) so they are reported with the rest.
    const uncaught: string[] = [];
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      uncaught.push(`uncaught ${describe(e.error)}`);
    };
    const onRejection = (e: PromiseRejectionEvent) => {
      e.preventDefault();
      uncaught.push(`unhandled rejection ${describe(e.reason)}`);
    };
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onRejection);

    const db = await openDb({ url: url.href, poolMax: 4 });
    const ops: Op[] = [];
    const wrong: string[] = [];
    const problems: string[] = [];
    let running = true;
    let lastAnswer = 0; // when an operation last succeeded

    async function txLoop(loop: number) {
      for (let n = 0; running; n++) {
        const op: Op = { kind: "tx", loop, settled: false };
        ops.push(op);
        try {
          await db.tx(async (t) => {
            const [a] = await t`select txid_current()::text as xid, 1 as n`;
            // Off the same turn as the first statement's answer: the window between two statements.
            await sleep((n * 7 + loop) % 4);
            const [b] = await t`select txid_current()::text as xid, 2 as n`;
            if (a.n !== 1 || b.n !== 2) wrong.push(`tx loop ${loop}: answers ${a.n}, ${b.n} instead of 1, 2`);
            if (a.xid !== b.xid) wrong.push(`tx loop ${loop}: its statements ran in ${a.xid} and ${b.xid}`);
          });
          lastAnswer = performance.now();
        } catch (error) {
          op.error = error;
          await sleep(20); // no busy loop against a refused server
        } finally {
          op.settled = true;
        }
      }
    }

    async function queryLoop(loop: number) {
      for (let n = 0; running; n++) {
        const op: Op = { kind: "query", loop, settled: false };
        ops.push(op);
        try {
          const [row] = await db.sql`select ${n}::int as n`;
          if (row.n !== n) wrong.push(`query loop ${loop}: answer ${row.n} to query ${n}`);
          lastAnswer = performance.now();
        } catch (error) {
          op.error = error;
          await sleep(20);
        } finally {
          op.settled = true;
        }
      }
    }

    const loops = Promise.all([
      ...Array.from({ length: TX_LOOPS }, (_, i) => txLoop(i)),
      ...Array.from({ length: QUERY_LOOPS }, (_, i) => queryLoop(i)),
    ]);
    // Each outage hits a pool that is back at work: the next waits until an operation succeeded again.
    let outages = 0;
    for (const { busyMs, refusedMs } of OUTAGES) {
      await sleep(busyMs);
      proxy.cut();
      await proxy.refuse(refusedMs);
      outages++;
      const acceptingAgain = performance.now();
      while (lastAnswer < acceptingAgain && performance.now() - acceptingAgain < RECOVER_MS) await sleep(20);
      if (lastAnswer < acceptingAgain) {
        problems.push(
          `outage ${outages}: nothing succeeded within ${RECOVER_MS} ms after the proxy accepted again`,
        );
        break;
      }
    }
    await sleep(TAIL_MS);
    running = false;
    await within(loops, SETTLE_MS);

    const stuck = ops.filter((op) => !op.settled);
    if (stuck.length) {
      problems.push(
        `${stuck.length} of ${ops.length} operations unsettled ${SETTLE_MS} ms after the loops stopped: ` +
          stuck.map((op) => `${op.kind} loop ${op.loop}`).join(", "),
      );
    }
    const answer = await within(db.sql`select 1 as one`.then(([row]) => row.one), 2_000).catch(describe);
    if (answer !== 1) problems.push(`the pool's answer to "select 1" afterwards: ${answer}`);
    problems.push(...wrong, ...uncaught);
    const failed = ops.filter((op) => op.error !== undefined);
    const foreign = failed.filter((op) => !isDatabaseUnavailable(op.error));
    for (const op of foreign) problems.push(`${op.kind} loop ${op.loop} failed with ${describe(op.error)}`);

    const closed = await within(db.close(), 2_000).catch(describe);
    await proxy.close();
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);

    const codes = new Map<string, number>();
    for (const op of failed) {
      const code = String((op.error as { code?: unknown }).code);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    console.log(
      `${ops.length} operations, ${failed.length} failed (${
        [...codes].map(([c, n]) => `${c} ×${n}`).join(", ")
      }), ` +
        `${stuck.length} stuck, ${uncaught.length} uncaught, ${outages} outages, ${proxy.accepted()} connections relayed` +
        (closed === "timeout" ? ", db.close() did not finish in 2 s" : ""),
    );
    assert.deepEqual(problems, []);
    // The outages must have hit work in flight, or this test proved nothing.
    assert.ok(failed.some((op) => op.kind === "tx"), "no transaction was caught by an outage");
  },
});
