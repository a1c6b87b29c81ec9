/**
 * A year of business for the analytics bench and the back-office screenshots: traders, four plans, orders
 * every few minutes (coupons, expired and failed ones, full and partial refunds), challenges from the earliest
 * paid orders with their phase accounts (passes, failures), funded accounts, fail and pause breaches, events
 * (so `trader_days`) and payouts. Set-based SQL (generate_series); tables `bench_*` hold the numbering.
 */
import type { Sql } from "../db/client.ts";

export interface SeedOptions {
  orders: number;
  users: number;
  /** Challenges opened from the earliest paid orders; accounts = challenges × (1 + 4/14 + 2/14). */
  challenges: number;
  /** Events per account. */
  events: number;
  start: Date;
  days: number;
}

const FIRST = [
  "Maria",
  "Jan",
  "Aisha",
  "Tomás",
  "Li",
  "Sven",
  "Priya",
  "Lucas",
  "Emma",
  "Kofi",
  "Yuki",
  "Omar",
];
const LAST = [
  "Novak",
  "Schmidt",
  "Okafor",
  "García",
  "Chen",
  "Larsen",
  "Patel",
  "Martin",
  "Rossi",
  "Kowalski",
];

export async function seedBusinessYear(sql: Sql, o: SeedOptions): Promise<void> {
  await sql`create table bench_users as
    with u as (insert into users (email, password_hash, first_name, last_name)
               select lower(f || '.' || l) || g || '@example.com', 'x', f, l
               from generate_series(1, ${o.users}) g,
                    lateral (select (${FIRST}::text[])[1 + g % ${FIRST.length}] as f,
                                    (${LAST}::text[])[1 + (g / 7) % ${LAST.length}] as l) n
               returning id)
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
    from generate_series(1, ${o.orders}) g
    join bench_users u on u.n = 1 + g % ${o.users}
    join bench_versions v on v.n = 1 + (g * 7) % 4
    cross join lateral (select ${o.start}::timestamptz + (g::float8 / ${o.orders}) * ${o.days} * interval '1 day' as ts,
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
    from orders where status = 'paid' order by paid_at, id limit ${o.challenges}`;
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
    from accounts a, generate_series(1, ${o.events}) g`;
  // The app's writers note the owners' active-trader days with their events (migration 034).
  await sql`select note_trader_days(array_agg(account_id), array_agg(at)) from account_events`;
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
      "trader_days",
      "trader_weeks",
      "trader_months",
      "order_days",
      "refund_days",
      "breach_days",
      "account_milestones",
      "milestone_days",
    ]
  ) {
    await sql.unsafe(`vacuum analyze ${table}`);
  }
}
