/**
 * Every table of the analytics page as CSV (RFC 4180, through the one CSV line writer of the trade history):
 * one header line, one line per period (or plan, or period and phase). Periods are named by their UTC start.
 */
import { csvLine } from "../trading/history_csv.ts";
import type { BusinessAnalytics } from "./business.ts";

export const ANALYTICS_TABLES = ["revenue", "plans", "pass_rate", "breaches", "payouts", "traders"] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

/** The rule keys that occur in the range, sorted (the breach table's columns). */
export function breachRules(a: BusinessAnalytics): string[] {
  return Object.keys(a.totals.breaches).sort();
}

/** The table `table` as rows of strings, header first (the page renders the same rows). */
export function analyticsRows(a: BusinessAnalytics, table: AnalyticsTable): string[][] {
  const n = (v: number) => String(v);
  switch (table) {
    case "revenue":
      return [
        [
          "period_start",
          "orders",
          "gross_revenue",
          "refunds",
          "revenue",
          "average_order",
          "payouts_paid",
          "net",
        ],
        ...a.periods.map((p) => [
          p.start,
          n(p.orders),
          p.grossRevenue,
          p.refunds,
          p.revenue,
          p.averageOrder ?? "",
          p.payouts.paid.traderShare,
          p.net,
        ]),
      ];
    case "plans":
      return [
        ["plan", "orders", "gross_revenue", "refunds", "revenue", ...a.periods.map((p) => p.start)],
        ...a.byPlan.map((
          p,
        ) => [p.planName, n(p.orders), p.grossRevenue, p.refunds, p.revenue, ...p.byPeriod]),
      ];
    case "pass_rate":
      return [
        ["period_start", "phase", "passed", "failed", "pass_rate"],
        ...a.periods.flatMap((p) =>
          p.passRate.map((r) => [p.start, n(r.phase), n(r.passed), n(r.failed), r.rate ?? ""])
        ),
      ];
    case "breaches": {
      const rules = breachRules(a);
      return [
        ["period_start", ...rules],
        ...a.periods.map((p) => [p.start, ...rules.map((r) => n(p.breaches[r] ?? 0))]),
      ];
    }
    case "payouts":
      return [
        [
          "period_start",
          "requested",
          "requested_trader_share",
          "approved",
          "approved_trader_share",
          "paid",
          "paid_trader_share",
        ],
        ...a.periods.map((p) => [
          p.start,
          n(p.payouts.requested.count),
          p.payouts.requested.traderShare,
          n(p.payouts.approved.count),
          p.payouts.approved.traderShare,
          n(p.payouts.paid.count),
          p.payouts.paid.traderShare,
        ]),
      ];
    case "traders":
      return [
        ["period_start", "active_traders", "funded_accounts_opened"],
        ...a.periods.map((p) => [p.start, n(p.activeTraders), n(p.fundedAccounts)]),
      ];
  }
}

export function analyticsCsv(a: BusinessAnalytics, table: AnalyticsTable): string {
  return analyticsRows(a, table).map(csvLine).join("");
}
