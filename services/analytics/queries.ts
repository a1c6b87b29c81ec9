/**
 * The SQL behind the business analytics (DESIGN §3.4): each query groups one kind of fact by UTC period
 * (`date_trunc` of the instant in UTC, as periods.ts computes keys) within [from, to). Money sums stay
 * numeric in SQL and leave as decimal strings.
 *
 * When a fact happened:
 * - an order: when it was paid (`paid_at`; a refunded order was paid too and counts in its period);
 * - a refund: when the money went back (`succeeded_at`; pending refunds are not yet subtracted);
 * - a phase failed: its latest `fail` breach, for a challenge account still failed (a reinstated account has
 *   not ended);
 * - a phase passed: when the next stage opened, i.e. the first change row (state version 0) of the account
 *   that continues it, which the lifecycle opens at the instant of the passing event;
 * - a funded account opened: its first change row, likewise;
 * - a trader was active: any applied event (trade, equity mark, withdrawal) on any of their accounts.
 */
import type { Sql } from "../../db/client.ts";
import type { Granularity } from "./periods.ts";

export interface Range {
  from: Date;
  to: Date;
  granularity: Granularity;
  currency: string;
}

/** A period key as epoch ms (the grouping column `p`, a UTC timestamp). */
type Keyed<T> = T & { p: Date };

/** `date_trunc` in UTC, back to an instant. */
function bucket(sql: Sql, granularity: Granularity, column: ReturnType<Sql>) {
  return sql`(date_trunc(${granularity}, ${column} at time zone 'UTC') at time zone 'UTC')`;
}

/** Paid orders (count, gross) by period and plan. */
export function paidOrders(sql: Sql, r: Range) {
  return sql<Keyed<{ plan_id: string; orders: number; gross: string }>[]>`
    select ${bucket(sql, r.granularity, sql`o.paid_at`)} as p, v.plan_id, count(*)::int as orders,
           sum(o.amount)::text as gross
    from orders o join plan_versions v on v.id = o.plan_version_id
    where o.status in ('paid', 'refunded') and o.paid_at >= ${r.from} and o.paid_at < ${r.to}
      and o.currency = ${r.currency}
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
      from breaches b join accounts a on a.id = b.account_id
      where b.action = 'fail' and b.at >= ${r.from} and b.at < ${r.to}
        and a.type = 'challenge' and a.status = 'failed'
        and not exists (select 1 from breaches l where l.account_id = b.account_id and l.action = 'fail'
                        and (l.at, l.id) > (b.at, b.id))
      union all
      select a.phase, 'passed', c.at
      from accounts a
      cross join lateral (
        select s.id from accounts s
        where s.challenge_id = a.challenge_id and (s.phase > a.phase or s.type = 'funded')
        order by s.phase nulls last limit 1) s
      join account_changes c on c.account_id = s.id and c.state_version = 0
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

/** Distinct traders with an event, by period (`p` set) and over the whole range (`p` null). */
export function activeTraders(sql: Sql, r: Range) {
  return sql<{ p: Date | null; n: number }[]>`
    select ${bucket(sql, r.granularity, sql`e.at`)} as p, count(distinct a.user_id)::int as n
    from account_events e join accounts a on a.id = e.account_id
    where e.at >= ${r.from} and e.at < ${r.to}
    group by grouping sets ((1), ())`;
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
