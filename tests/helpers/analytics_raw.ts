/**
 * The analytics queries as they were before the rollups of migration 029: every fact read from its own rows
 * (orders, refunds, breaches, accounts and their change rows). tests/analytics_rollups_test.ts runs the
 * analytics through these and through services/analytics/queries.ts and expects the same answer.
 */
import type { Sql } from "../../db/client.ts";
import type { Granularity } from "../../services/analytics/periods.ts";
import type { Range } from "../../services/analytics/queries.ts";

/** A period key as epoch ms (the grouping column `p`, a UTC timestamp). */
type Keyed<T> = T & { p: Date };

/** `date_trunc` in UTC, back to an instant. */
function bucket(sql: Sql, granularity: Granularity, column: ReturnType<Sql>) {
  return sql`(date_trunc(${granularity}, ${column} at time zone 'UTC') at time zone 'UTC')`;
}

/** The period of a `day` column (a UTC date) as a date: the day, its ISO week's Monday, its month's first. */
function dayBucket(sql: Sql, granularity: Granularity) {
  if (granularity === "day") return sql`day`;
  if (granularity === "week") return sql`(day - (extract(isodow from day)::int - 1))`;
  return sql`(day - (extract(day from day)::int - 1))`;
}

/** Paid orders (count, gross) by period and plan (grouped by version first: one small join after). */
export function paidOrders(sql: Sql, r: Range) {
  return sql<Keyed<{ plan_id: string; orders: number; gross: string }>[]>`
    select o.p, v.plan_id, sum(o.orders)::int as orders, sum(o.gross)::text as gross
    from (
      select ${bucket(sql, r.granularity, sql`paid_at`)} as p, plan_version_id, count(*) as orders,
             sum(amount) as gross
      from orders
      where status in ('paid', 'refunded') and paid_at >= ${r.from} and paid_at < ${r.to}
        and currency = ${r.currency}
      group by 1, 2
    ) o join plan_versions v on v.id = o.plan_version_id
    group by 1, 2`;
}

/** Refunds that went back, by period and the plan of their order. */
export function refundsMade(sql: Sql, r: Range) {
  return sql<Keyed<{ plan_id: string; refunds: string }>[]>`
    select ${bucket(sql, r.granularity, sql`f.succeeded_at`)} as p, v.plan_id, sum(f.amount)::text as refunds
    from refunds f
    join orders o on o.id = f.order_id
    join plan_versions v on v.id = o.plan_version_id
    where f.status = 'succeeded' and f.succeeded_at >= ${r.from} and f.succeeded_at < ${r.to}
      and f.currency = ${r.currency}
    group by 1, 2`;
}

/** The names of `planIds`. */
export function planNames(sql: Sql, planIds: string[]) {
  return sql<{ id: string; name: string }[]>`select id, name from plans where id = any(${planIds}::uuid[])`;
}

/** Challenge phases that ended, by period, phase and outcome. */
export function phaseEnds(sql: Sql, r: Range) {
  return sql<Keyed<{ phase: number; outcome: "passed" | "failed"; n: number }>[]>`
    with ends as (
      select a.phase, 'failed' as outcome, b.at
      from (select account_id, max(at) as at from breaches where action = 'fail' group by account_id) b
      join accounts a on a.id = b.account_id
      where b.at >= ${r.from} and b.at < ${r.to} and a.type = 'challenge' and a.status = 'failed'
      union all
      select a.phase, 'passed', c.at
      from (
        -- Each stage's successor: the next account of the challenge by phase, funded last.
        select phase, status, type,
               lead(id) over (partition by challenge_id order by phase nulls last, created_at) as next_id
        from accounts where challenge_id is not null
      ) a
      join account_changes c on c.account_id = a.next_id and c.state_version = 0
      where a.type = 'challenge' and a.status = 'passed' and c.at >= ${r.from} and c.at < ${r.to}
    )
    select ${bucket(sql, r.granularity, sql`at`)} as p, phase, outcome, count(*)::int as n
    from ends group by 1, 2, 3`;
}

/** Breaches by period and rule. */
export function breachesByRule(sql: Sql, r: Range) {
  return sql<Keyed<{ rule: string; n: number }>[]>`
    select ${bucket(sql, r.granularity, sql`at`)} as p, rule, count(*)::int as n
    from breaches where at >= ${r.from} and at < ${r.to}
    group by 1, 2`;
}

/**
 * Distinct traders with an event, by period (`p` set) and over the whole range (`p` null), from the per-day
 * rollup `trader_days` (written with the events, migration 034). Days are UTC, so any range
 * given as whole UTC days (the page's and the API's dates) counts exactly; an instant inside a day counts
 * that whole day.
 */
export function activeTraders(sql: Sql, r: Range) {
  // The day bounds of [from, to) (whole UTC days, see above); each half reads the primary key alone.
  const first = sql`(${r.from}::timestamptz at time zone 'UTC')::date`;
  const end = sql`((${r.to}::timestamptz - interval '1 microsecond') at time zone 'UTC')::date + 1`;
  return sql<{ p: Date | null; n: number }[]>`
    select p::timestamp at time zone 'UTC' as p, count(*)::int as n from (
      -- Distinct (period, trader) by hashing, then a count per period (count(distinct) would sort); the
      -- period in date arithmetic (cheap per row), made an instant only once per period.
      select ${dayBucket(sql, r.granularity)} as p, user_id from trader_days
      where day >= ${first} and day < ${end} group by 1, 2
    ) per group by p
    union all
    select null, count(*)::int from (
      select user_id from trader_days where day >= ${first} and day < ${end} group by user_id
    ) u`;
}

/** Funded accounts opened, by period. */
export function fundedOpened(sql: Sql, r: Range) {
  return sql<Keyed<{ n: number }>[]>`
    select ${bucket(sql, r.granularity, sql`c.at`)} as p, count(*)::int as n
    from accounts a join account_changes c on c.account_id = a.id and c.state_version = 0
    where a.type = 'funded' and c.at >= ${r.from} and c.at < ${r.to}
    group by 1`;
}

/** Payouts requested, approved and paid (count, trader share) by period. */
export function payoutSteps(sql: Sql, r: Range) {
  return sql<Keyed<{ step: "requested" | "approved" | "paid"; n: number; share: string }>[]>`
    select p, step, count(*)::int as n, sum(trader_share)::text as share from (
      select ${bucket(sql, r.granularity, sql`requested_at`)} as p, 'requested' as step, trader_share
      from payouts where requested_at >= ${r.from} and requested_at < ${r.to} and currency = ${r.currency}
      union all
      select ${bucket(sql, r.granularity, sql`approved_at`)}, 'approved', trader_share
      from payouts where approved_at >= ${r.from} and approved_at < ${r.to} and currency = ${r.currency}
      union all
      select ${bucket(sql, r.granularity, sql`paid_at`)}, 'paid', trader_share
      from payouts where paid_at >= ${r.from} and paid_at < ${r.to} and currency = ${r.currency}
    ) x group by 1, 2`;
}
