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
  await sql`create table bench_users as
    with u as (insert into users (email, password_hash)
               select 'bench-' || g || '@example.test', 'x' from generate_series(1, ${USERS}) g returning id)
    select row_number() over (order by id) as n, id from u`;
  await sql`insert into plans (slug, family, name)
            select 'bench-' || g, 'Bench', (array['One-Step 25K','Two-Step 50K','Two-Step 100K','Two-Step 200K'])[g]
            from generate_series(1, 4) g`;
  await sql`create table bench_versions as
    with v as (insert into plan_versions (plan_id, version, currency, initial_balance, price, definition)
               select id, 1, 'USD', 100000, (array[99, 299, 540, 1080])[substr(slug, 7)::int], '{}'
               from plans where slug like 'bench-%' returning id, price)
    select row_number() over (order by price) as n, id, price from v`;
  // Orders every ~5 minutes through the year: 1 in 10 with a 10 % coupon; 1 in 20 expired unpaid, 1 in 50
  // failed, 1 in 33 paid then refunded in full three days later.
  await sql`
    insert into orders (user_id, plan_version_id, currency, list_price, discount, amount, status, provider,
                        paid_at, created_at, updated_at)
    select u.id, v.id, 'USD', v.price, x.d, v.price - x.d, x.st, 'demo',
           case when x.st in ('paid', 'refunded') then x.ts end, x.ts - interval '1 minute', x.ts
    from generate_series(1, ${ORDERS}) g
    join bench_users u on u.n = 1 + g % ${USERS}
    join bench_versions v on v.n = 1 + (g * 7) % 4
    cross join lateral (select timestamptz '2025-01-01' + (g::float8 / ${ORDERS}) * interval '365 days' as ts,
      case when g % 10 = 0 then round(v.price * 0.1, 2) else 0 end as d,
      case when g % 20 = 0 then 'expired' when g % 50 = 0 then 'failed' when g % 33 = 0 then 'refunded'
           else 'paid' end as st) x`;
  await sql`
    insert into refunds (order_id, amount, currency, reason, status, provider, idempotency_key, created_at,
                         succeeded_at)
    select id, amount, currency, 'bench full refund', 'succeeded', 'demo', 'bench-' || id,
           paid_at + interval '3 days', paid_at + interval '3 days'
    from orders where status = 'refunded' and amount > 0
    union all
    select id, 10, currency, 'bench goodwill', 'succeeded', 'demo', 'bench-' || id, paid_at + interval '1 day',
           paid_at + interval '1 day'
    from orders where status = 'paid' and (extract(epoch from paid_at)::bigint / 300) % 97 = 0`;
  // 14,000 challenges from the earliest paid orders: phase 1 passed 4/14, failed 7/14, active 3/14; phase 2
  // (4,000) passed half, failed a quarter; the 2,000 phase-2 passes are funded.
  await sql`create table bench_ch as
    select row_number() over (order by paid_at, id) as n, id as order_id, user_id, plan_version_id, paid_at
    from orders where status = 'paid' order by paid_at, id limit ${CHALLENGES}`;
  await sql`insert into challenges (user_id, plan_version_id, status, started_at, order_id)
            select user_id, plan_version_id, 'active', paid_at, order_id from bench_ch`;
  await sql`
    insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance, equity,
                          plan_version_id, created_at)
    select c.user_id, c.id, 1, 'challenge',
           case when b.n % 14 < 4 then 'passed' when b.n % 14 < 11 then 'failed' else 'active' end,
           'USD', 100000, 100000, 100000, c.plan_version_id, b.paid_at + (b.n % 300) * interval '2 hours'
    from challenges c join bench_ch b on b.order_id = c.order_id`;
  for (
    const [phase, type, status, days] of [[2, "challenge", null, 10], [null, "funded", "active", 12]] as const
  ) {
    await sql`
      insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance,
                            equity, plan_version_id, created_at)
      select a.user_id, a.challenge_id, ${phase}, ${type},
             coalesce(${status}::text, case when b.n % 4 < 2 then 'passed' when b.n % 4 = 2 then 'failed'
                                            else 'active' end),
             'USD', 100000, 100000, 100000, a.plan_version_id, a.created_at + ${days} * interval '1 day'
      from accounts a join challenges c on c.id = a.challenge_id join bench_ch b on b.order_id = c.order_id
      where a.phase = ${phase === 2 ? 1 : 2} and a.status = 'passed'`;
  }
  await sql`insert into account_changes (account_id, state_version, at, kind, payload)
            select id, 0, created_at, 'lifecycle', '{}' from accounts`;
  await sql`
    insert into breaches (account_id, rule, action, at, inputs_hash, evidence)
    select id, case when hashtext(id::text) % 2 = 0 then 'daily_loss' else 'max_loss' end, 'fail',
           created_at + (1 + abs(hashtext(id::text)) % 8) * interval '1 day', 'h', '{}'::jsonb
    from accounts where status = 'failed'
    union all
    select id, 'daily_loss', 'pause', created_at + interval '2 days', 'h', '{}'::jsonb
    from accounts where status <> 'failed' and abs(hashtext(id::text)) % 3 = 0`;
  await sql`
    insert into account_events (account_id, event_id, type, at, payload, state_version)
    select a.id, 'e' || g, 'equity', a.created_at + g * interval '7 hours', '{}', g
    from accounts a, generate_series(1, ${EVENTS}) g`;
  await sql`
    insert into payouts (user_id, account_id, amount, currency, status, requested_at, processed_at, trader_share,
                         split_percent, approved_at, paid_at, reference)
    select user_id, id, 2000, 'USD', 'paid', created_at + interval '20 days', created_at + interval '22 days',
           1600, 80, created_at + interval '21 days', created_at + interval '22 days', 'wire'
    from accounts where type = 'funded'
    union all
    select user_id, id, 1000, 'USD', 'approved', created_at + interval '40 days', created_at + interval '41 days',
           800, 80, created_at + interval '41 days', null, null
    from accounts where type = 'funded' and abs(hashtext(id::text)) % 3 = 0`;
  for (
    const table of [
      "orders",
      "refunds",
      "accounts",
      "account_changes",
      "breaches",
      "account_events",
      "payouts",
    ]
  ) {
    await sql.unsafe(`vacuum analyze ${table}`);
  }
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
  const { range, periods } = analyticsRange({ from: "2025-01-01", to: "2025-12-31", granularity: "month" }, new Date());
  void periods;
  for (const [name, query] of Object.entries(q)) {
    if (name === "planNames") continue;
    const run = query as (s: typeof sql, r: typeof range) => Promise<unknown> & { describe?: unknown };
    await run(sql, range);
    const t0 = performance.now();
    await run(sql, range);
    console.log(`  ${name}: ${(performance.now() - t0).toFixed(1)} ms`);
    if (Deno.env.get("BENCH_EXPLAIN")) {
      const text = (run(sql, range) as unknown as { describe(): Promise<{ string: string }> });
      const { string } = await text.describe();
      const plan = await sql.unsafe(`explain (analyze, buffers) ${string}`, [] as never[]).catch((e) => [{ e }]);
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
