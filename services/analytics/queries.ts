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
 * - a trader was active: any applied event (trade, equity mark, withdrawal) on any of their accounts, on a
 *   UTC day (the `trader_days` rollup).
 *
 * Orders, refunds and breaches are read from per-day rollups (migration 029) for the whole UTC days of the
 * range and from their own rows for the rest (see `split`); phase ends and funded openings from the
 * per-account `account_milestones` and their per-day `milestone_days`; all are kept by triggers in the writes' transactions, so the answer is
 * the same as from the raw rows alone (tests/analytics_rollups_test.ts).
 */
import type { Sql } from "../../db/client.ts";
import { type Granularity, periodStart, utcDate, wholeDays, wholeSpans } from "./periods.ts";

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

/** The period of a `day` column (a UTC date) as a date: the day, its ISO week's Monday, its month's first. */
function dayBucket(sql: Sql, granularity: Granularity) {
  if (granularity === "day") return sql`day`;
  if (granularity === "week") return sql`(day - (extract(isodow from day)::int - 1))`;
  return sql`(day - (extract(day from day)::int - 1))`;
}

/**
 * The part of [from, to) the per-day rollups answer (whole UTC days, `days`) and the part they cannot (the
 * instants before the first and after the last whole day, `raw`, empty for ranges given as dates), as SQL
 * conditions on a `day` column and on an instant column.
 */
function split(sql: Sql, r: Range) {
  const { firstDay, endDay } = wholeDays(r.from, r.to);
  return {
    days: sql`day >= ${utcDate(+firstDay)}::date and day < ${utcDate(+endDay)}::date`,
    raw: (column: ReturnType<Sql>) =>
      sql`((${column} >= ${r.from} and ${column} < ${firstDay}) or (${column} >= ${endDay} and ${column} < ${r.to}))`,
  };
}

/** The period of a rollup's `day` as an instant (the key the raw rows' `bucket` gives). */
function dayPeriod(sql: Sql, granularity: Granularity) {
  return sql`(${dayBucket(sql, granularity)}::timestamp at time zone 'UTC')`;
}

/** Paid orders (count, gross) by period and plan: `order_days` (migration 029) plus the raw edges. */
export function paidOrders(sql: Sql, r: Range) {
  const s = split(sql, r);
  return sql<Keyed<{ plan_id: string; orders: number; gross: string }>[]>`
    select p, plan_id, sum(orders)::int as orders, sum(gross)::text as gross from (
      select ${dayPeriod(sql, r.granularity)} as p, plan_id, orders, gross
      from order_days where ${s.days} and currency = ${r.currency}
      union all
      select ${bucket(sql, r.granularity, sql`o.paid_at`)}, v.plan_id, 1, o.amount
      from orders o join plan_versions v on v.id = o.plan_version_id
      where o.status in ('paid', 'refunded') and ${s.raw(sql`o.paid_at`)} and o.currency = ${r.currency}
    ) x group by 1, 2`;
}

/** Refunds that went back, by period and the plan of their order: `refund_days` plus the raw edges. */
export function refundsMade(sql: Sql, r: Range) {
  const s = split(sql, r);
  return sql<Keyed<{ plan_id: string; refunds: string }>[]>`
    select p, plan_id, sum(amount)::text as refunds from (
      select ${dayPeriod(sql, r.granularity)} as p, plan_id, amount
      from refund_days where ${s.days} and currency = ${r.currency}
      union all
      select ${bucket(sql, r.granularity, sql`f.succeeded_at`)}, v.plan_id, f.amount
      from refunds f
      join orders o on o.id = f.order_id
      join plan_versions v on v.id = o.plan_version_id
      where f.status = 'succeeded' and ${s.raw(sql`f.succeeded_at`)} and f.currency = ${r.currency}
    ) x group by 1, 2`;
}

/** The names of `planIds`. */
export function planNames(sql: Sql, planIds: string[]) {
  return sql<{ id: string; name: string }[]>`select id, name from plans where id = any(${planIds}::uuid[])`;
}

/** Challenge phases that ended, by period, phase and outcome: `milestone_days` plus the raw edges. */
export function phaseEnds(sql: Sql, r: Range) {
  const s = split(sql, r);
  return sql<Keyed<{ phase: number; outcome: "passed" | "failed"; n: number }>[]>`
    select p, phase, outcome, sum(n)::int as n from (
      select ${dayPeriod(sql, r.granularity)} as p, phase, kind as outcome, accounts as n
      from milestone_days where ${s.days} and kind in ('passed', 'failed')
      union all
      select ${bucket(sql, r.granularity, sql`at`)}, phase, kind, 1
      from account_milestones where ${s.raw(sql`at`)} and kind in ('passed', 'failed')
    ) x group by 1, 2, 3`;
}

/** Breaches by period and rule: `breach_days` plus the raw edges. */
export function breachesByRule(sql: Sql, r: Range) {
  const s = split(sql, r);
  return sql<Keyed<{ rule: string; n: number }>[]>`
    select p, rule, sum(n)::int as n from (
      select ${dayPeriod(sql, r.granularity)} as p, rule, breaches as n from breach_days where ${s.days}
      union all
      select ${bucket(sql, r.granularity, sql`at`)}, rule, 1 from breaches where ${s.raw(sql`at`)}
    ) x group by 1, 2`;
}

/**
 * Distinct traders with an event, by period (`p` set) and over the whole range (`p` null), from the rollups
 * written with the events by their writers (migration 034): `trader_days` (019), `trader_weeks` and `trader_months`
 * (029). Whole weeks and months read their own rows; the days outside them read `trader_days`. Days are
 * UTC, so any range given as whole UTC days (the page's and the API's dates) counts exactly; an instant
 * inside a day counts that whole day.
 */
export function activeTraders(sql: Sql, r: Range) {
  const first = periodStart(+r.from, "day");
  const end = periodStart(+r.to - 1, "day") + 86_400_000;
  const date = (t: number) => sql`${utcDate(t)}::date`;
  const days = sql`day >= ${date(first)} and day < ${date(end)}`;
  /** The days of the range outside [s.start, s.end). */
  const outside = (s: { start: number; end: number }) =>
    sql`((day >= ${date(first)} and day < ${date(s.start)}) or (day >= ${date(s.end)} and day < ${
      date(end)
    }))`;
  const months = wholeSpans(first, end, "month");
  // Per period: a day's rows are distinct already; whole weeks and months count their rows; a period cut
  // by the range (or a range of less than a whole one) counts its days' distinct traders.
  const perPeriod = r.granularity === "day"
    ? sql`select day as p, count(*)::int as n from trader_days where ${days} group by 1`
    : (() => {
      const g = r.granularity;
      const s = wholeSpans(first, end, g);
      const rollup = g === "week"
        ? sql`select week as p, count(*)::int as n from trader_weeks
              where week >= ${date(s.start)} and week < ${date(s.end)} group by 1`
        : sql`select month as p, count(*)::int as n from trader_months
              where month >= ${date(s.start)} and month < ${date(s.end)} group by 1`;
      return sql`${rollup} union all
        select p, count(*)::int from (
          select ${dayBucket(sql, g)} as p, user_id from trader_days where ${outside(s)} group by 1, 2
        ) x group by 1`;
    })();
  return sql<{ p: Date | null; n: number }[]>`
    select p::timestamp at time zone 'UTC' as p, n from (${perPeriod}) per
    union all
    select null, count(*)::int from (
      select user_id from trader_months where month >= ${date(months.start)} and month < ${date(months.end)}
      union
      select user_id from trader_days where ${outside(months)}
    ) u`;
}

/** Funded accounts opened, by period: `milestone_days` plus the raw edges. */
export function fundedOpened(sql: Sql, r: Range) {
  const s = split(sql, r);
  return sql<Keyed<{ n: number }>[]>`
    select p, sum(n)::int as n from (
      select ${dayPeriod(sql, r.granularity)} as p, accounts as n from milestone_days
      where ${s.days} and kind = 'funded'
      union all
      select ${bucket(sql, r.granularity, sql`at`)}, 1 from account_milestones
      where ${s.raw(sql`at`)} and kind = 'funded'
    ) x group by 1`;
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
