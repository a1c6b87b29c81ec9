/**
 * `GET /api/admin/analytics` (DESIGN §3.4): the firm's figures over [from, to) by UTC period.
 *
 * - `revenue` = Σ paid order amounts − Σ refunds (each in the period it happened), by period and by plan;
 *   `grossRevenue` and `refunds` are its two terms; `orders` = orders paid; `averageOrder` = gross / orders
 *   (half up to the cent; null without orders).
 * - `passRate` per phase = passed / (passed + failed) of challenge phases that ended in the range (null when
 *   none ended); `breaches` by rule key; `activeTraders` = distinct traders with an event in the period (the
 *   range total is distinct over the range, not a sum); `fundedAccounts` opened.
 * - `payouts` requested / approved / paid: count and trader share; `net` = revenue − trader share paid.
 * Money is in one currency (`currency`, default USD): orders, refunds and payouts in others are left out.
 * See queries.ts for when each fact happened.
 */
import type { Sql } from "../../db/client.ts";
import { fromMinor, toMinor } from "../money.ts";
import type { Period } from "./periods.ts";
import * as q from "./queries.ts";

interface Money {
  count: number;
  traderShare: string;
}

interface PhaseRate {
  phase: number;
  passed: number;
  failed: number;
  /** passed / (passed + failed), 4 decimals, e.g. "0.6667"; null when no phase ended. */
  rate: string | null;
}

/** The figures of one period (or of the whole range, in `totals`). */
export interface Figures {
  revenue: string;
  grossRevenue: string;
  refunds: string;
  orders: number;
  averageOrder: string | null;
  passRate: PhaseRate[];
  breaches: Record<string, number>;
  activeTraders: number;
  fundedAccounts: number;
  payouts: { requested: Money; approved: Money; paid: Money };
  net: string;
}

export interface PlanRevenue {
  planId: string;
  planName: string;
  orders: number;
  grossRevenue: string;
  refunds: string;
  revenue: string;
  /** The plan's revenue in each period, in the order of `periods`. */
  byPeriod: string[];
}

export interface BusinessAnalytics {
  from: string;
  to: string;
  granularity: q.Range["granularity"];
  currency: string;
  periods: (Figures & { start: string; end: string })[];
  byPlan: PlanRevenue[];
  totals: Figures;
}

/** Mutable sums of one period while rows are folded in. */
interface Acc {
  gross: bigint;
  refunds: bigint;
  orders: number;
  phases: Map<number, { passed: number; failed: number }>;
  breaches: Map<string, number>;
  active: number;
  funded: number;
  payouts: Record<"requested" | "approved" | "paid", { count: number; share: bigint }>;
}

function emptyAcc(): Acc {
  return {
    gross: 0n,
    refunds: 0n,
    orders: 0,
    phases: new Map(),
    breaches: new Map(),
    active: 0,
    funded: 0,
    payouts: {
      requested: { count: 0, share: 0n },
      approved: { count: 0, share: 0n },
      paid: { count: 0, share: 0n },
    },
  };
}

/** The queries the figures are folded from (queries.ts; a test passes the raw-row versions to compare). */
export type AnalyticsQueries = typeof q;

/** Computes the analytics of `range` over `periods` (periods.ts `periodsOf` of the same range). */
export async function businessAnalytics(
  sql: Sql,
  range: q.Range,
  periods: readonly Period[],
  queries: AnalyticsQueries = q,
): Promise<BusinessAnalytics> {
  const [orders, refunds, ends, breaches, active, funded, payouts] = await Promise.all([
    queries.paidOrders(sql, range),
    queries.refundsMade(sql, range),
    queries.phaseEnds(sql, range),
    queries.breachesByRule(sql, range),
    queries.activeTraders(sql, range),
    queries.fundedOpened(sql, range),
    queries.payoutSteps(sql, range),
  ]);
  const index = new Map(periods.map((p, i) => [p.key, i]));
  const accs = periods.map(emptyAcc);
  const total = emptyAcc();
  const at = (p: Date) => accs[index.get(+p)!] ?? total; // every key is a period of the range
  const both = (p: Date, f: (a: Acc) => void) => [at(p), total].forEach(f);

  const plans = new Map<string, { orders: number; gross: bigint; refunds: bigint; byPeriod: bigint[] }>();
  const plan = (id: string) => {
    let entry = plans.get(id);
    if (!entry) plans.set(id, entry = { orders: 0, gross: 0n, refunds: 0n, byPeriod: periods.map(() => 0n) });
    return entry;
  };
  for (const r of orders) {
    const gross = toMinor(r.gross);
    both(r.p, (a) => (a.gross += gross, a.orders += r.orders));
    const e = plan(r.plan_id);
    e.orders += r.orders;
    e.gross += gross;
    e.byPeriod[index.get(+r.p)!] += gross;
  }
  for (const r of refunds) {
    const amount = toMinor(r.refunds);
    both(r.p, (a) => a.refunds += amount);
    const e = plan(r.plan_id);
    e.refunds += amount;
    e.byPeriod[index.get(+r.p)!] -= amount;
  }
  for (const r of ends) {
    both(r.p, (a) => {
      const phase = a.phases.get(r.phase) ?? { passed: 0, failed: 0 };
      phase[r.outcome] += r.n;
      a.phases.set(r.phase, phase);
    });
  }
  for (const r of breaches) both(r.p, (a) => a.breaches.set(r.rule, (a.breaches.get(r.rule) ?? 0) + r.n));
  for (const r of active) {
    if (r.p === null) total.active = r.n;
    else at(r.p).active = r.n;
  }
  for (const r of funded) both(r.p, (a) => a.funded += r.n);
  for (const r of payouts) {
    const share = toMinor(r.share);
    both(r.p, (a) => (a.payouts[r.step].count += r.n, a.payouts[r.step].share += share));
  }

  const names = new Map((await queries.planNames(sql, [...plans.keys()])).map((p) => [p.id, p.name]));
  const phases = [...total.phases.keys()].sort((a, b) => a - b);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    granularity: range.granularity,
    currency: range.currency,
    periods: periods.map((p, i) => ({
      start: p.start.toISOString(),
      end: p.end.toISOString(),
      ...figuresOf(accs[i], phases),
    })),
    byPlan: [...plans.entries()]
      .map(([planId, e]) => ({
        planId,
        planName: names.get(planId) ?? planId,
        orders: e.orders,
        grossRevenue: fromMinor(e.gross),
        refunds: fromMinor(e.refunds),
        revenue: fromMinor(e.gross - e.refunds),
        byPeriod: e.byPeriod.map(fromMinor),
      }))
      .sort((a, b) =>
        Number(toMinor(b.revenue) - toMinor(a.revenue)) || a.planName.localeCompare(b.planName)
      ),
    totals: figuresOf(total, phases),
  };
}

/** The published figures of one accumulator; every phase seen in the range is listed in every period. */
function figuresOf(a: Acc, phases: readonly number[]): Figures {
  const revenue = a.gross - a.refunds;
  const money = (step: keyof Acc["payouts"]) => ({
    count: a.payouts[step].count,
    traderShare: fromMinor(a.payouts[step].share),
  });
  return {
    revenue: fromMinor(revenue),
    grossRevenue: fromMinor(a.gross),
    refunds: fromMinor(a.refunds),
    orders: a.orders,
    averageOrder: a.orders === 0 ? null : fromMinor(divideHalfUp(a.gross, BigInt(a.orders))),
    passRate: phases.map((phase) => {
      const { passed, failed } = a.phases.get(phase) ?? { passed: 0, failed: 0 };
      return { phase, passed, failed, rate: ratio(passed, passed + failed) };
    }),
    breaches: Object.fromEntries([...a.breaches.entries()].sort(([x], [y]) => x.localeCompare(y))),
    activeTraders: a.active,
    fundedAccounts: a.funded,
    payouts: { requested: money("requested"), approved: money("approved"), paid: money("paid") },
    net: fromMinor(revenue - a.payouts.paid.share),
  };
}

/** n / d half up, for non-negative n and positive d. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (2n * d);
}

/** part / whole as a 4-decimal string ("0.6667"), or null for 0 / 0. */
function ratio(part: number, whole: number): string | null {
  if (whole === 0) return null;
  const scaled = divideHalfUp(BigInt(part) * 10_000n, BigInt(whole));
  return `${scaled / 10_000n}.${(scaled % 10_000n).toString().padStart(4, "0")}`;
}
