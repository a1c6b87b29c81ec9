/**
 * Analytics budget (issue #13, DESIGN §5) on the real PostgreSQL (`DATABASE_URL`, a fresh schema dropped at
 * the end): one year (2025) of 100,000 orders (paid, refunded in full or in part, failed, expired) and
 * 20,000 accounts (14,000 phase 1, 4,000 phase 2, 2,000 funded, with their passes, failures, pause breaches,
 * 20 events each and the funded accounts' payouts), then `GET /api/admin/analytics` for the year by month
 * through `app.request` as an admin — budget ≤ 200 ms — and by week and day for comparison.
 *
 * Ratios to anchors measured in the same run: a `select 1` round trip, and one full pass over the orders
 * table (`select count(*), sum(amount) from orders`): the least any aggregate over the year's orders costs.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test deno task bench:admin-analytics
 *
 * BENCH_ORDERS (100,000), BENCH_ACCOUNT_EVENTS (20 per account) and BENCH_ITERATIONS (50) scale it.
 */
import { openTestApp } from "../tests/helpers/app.ts";
import { makeStaff, randomIp } from "../tests/helpers/client.ts";
import { percentile } from "./stats.ts";
import { seedBusinessYear } from "./analytics_seed.ts";
import * as q from "../services/analytics/queries.ts";
import { analyticsRange } from "../services/analytics/input.ts";

const ORDERS = Number(Deno.env.get("BENCH_ORDERS") ?? 100_000);
const EVENTS = Number(Deno.env.get("BENCH_ACCOUNT_EVENTS") ?? 20);
const ITERATIONS = Number(Deno.env.get("BENCH_ITERATIONS") ?? 50);
const CHALLENGES = 14_000;
const USERS = 5_000;

if (!Deno.env.get("DATABASE_URL")) {
  console.error(
    "bench:admin-analytics needs DATABASE_URL (a real PostgreSQL); the embedded one is not measured.",
  );
  Deno.exit(2);
}

const { app, deps, close } = await openTestApp();
const { sql } = deps.db;
try {
  const admin = await makeStaff(deps, "admin");
  console.log(`seeding ${ORDERS.toLocaleString("en-US")} orders and 20,000 accounts over 2025…`);
  const seeded = performance.now();
  await seedBusinessYear(sql, {
    orders: ORDERS,
    users: USERS,
    challenges: CHALLENGES,
    events: EVENTS,
    start: new Date("2025-01-01T00:00:00Z"),
    days: 365,
  });
  const counts = await sql<{ t: string; n: number }[]>`
    select 'orders' as t, count(*)::int as n from orders union all select 'refunds', count(*)::int from refunds
    union all select 'accounts', count(*)::int from accounts union all select 'breaches', count(*)::int from breaches
    union all select 'account_events', count(*)::int from account_events
    union all select 'payouts', count(*)::int from payouts`;
  console.log(
    `seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s:`,
    counts.map((c) => `${c.t} ${c.n.toLocaleString("en-US")}`).join(", "),
  );

  /** p50/p99 (ms) of ITERATIONS sequential runs after 5 warm-ups. */
  const measure = async (name: string, run: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS + 5; i++) {
      const t0 = performance.now();
      const res = await run();
      if (res instanceof Response) {
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
      if (i >= 5) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { name, p50: percentile(times, 50), p99: percentile(times, 99) };
  };
  const api = (query: string) =>
    app.request(`/api/admin/analytics?${query}`, { headers: admin.auth }, {
      remoteAddr: { hostname: randomIp() },
    });

  // Where the time goes: each query of the analytics once (after a warm-up), and its plan on request.
  const { range, periods } = analyticsRange(
    { from: "2025-01-01", to: "2025-12-31", granularity: "month" },
    new Date(),
  );
  void periods;
  for (const [name, query] of Object.entries(q)) {
    if (name === "planNames") continue;
    const run = query as (s: typeof sql, r: typeof range) => Promise<unknown> & { describe?: unknown };
    await run(sql, range);
    const t0 = performance.now();
    await run(sql, range);
    console.log(`  ${name}: ${(performance.now() - t0).toFixed(1)} ms`);
    if (Deno.env.get("BENCH_EXPLAIN")) {
      const text = run(sql, range) as unknown as { describe(): Promise<{ string: string }> };
      const { string } = await text.describe();
      const plan = await sql.unsafe(`explain (analyze, buffers) ${string}`, [] as never[]).catch((
        e,
      ) => [{ e }]);
      console.log(plan);
    }
  }
  const select1 = await measure("anchor: select 1", () => sql`select 1`);
  const scan = await measure(
    "anchor: one pass over orders",
    () => sql`select count(*), sum(amount) from orders`,
  );
  const year = "from=2025-01-01&to=2025-12-31";
  const figures = [
    await measure("analytics, 2025 by month (budget 200 ms)", () => api(`${year}&granularity=month`)),
    await measure("analytics, 2025 by week", () => api(`${year}&granularity=week`)),
    await measure("analytics, 2025 by day", () => api(`${year}&granularity=day`)),
  ];
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`\n${select1.name}: p50 ${ms(select1.p50)}`);
  console.log(`${scan.name}: p50 ${ms(scan.p50)}`);
  for (const f of figures) {
    console.log(
      `${f.name}: p50 ${ms(f.p50)} p99 ${ms(f.p99)} · p99 = ${
        (f.p99 / scan.p50).toFixed(1)
      }× one pass over ` +
        `orders, ${(f.p99 / select1.p50).toFixed(0)}× select 1`,
    );
  }
  const month = figures[0];
  console.log(`\nbudget: year by month p99 ${ms(month.p99)} ${month.p99 <= 200 ? "≤" : ">"} 200 ms`);
} finally {
  await close();
}
