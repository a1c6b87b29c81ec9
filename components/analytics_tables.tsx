import type { ComponentChildren } from "preact";
import type { BusinessAnalytics } from "../services/analytics/business.ts";
import { breachRules } from "../services/analytics/csv.ts";
import { periodLabel } from "../services/analytics/periods.ts";
import { formatMoney } from "../services/money_format.ts";
import { ScrollRegion } from "./scroll_region.tsx";

/**
 * The tables under the analytics charts: the exact figures, one row per period (or plan), numbers right-
 * aligned and tabular, a totals row where a total means something. Server-rendered; no script.
 */
type A = BusinessAnalytics;

const TH = "px-3 py-2 font-medium";
const TD = "px-3 py-1.5 text-right tabular-nums whitespace-nowrap";

function Table(props: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    // "… table": the section around it is already named by its heading, which is often the caption's text,
    // and two landmarks with one name cannot be told apart (axe landmark-unique).
    <ScrollRegion
      label={`${props.caption} table`}
      class="mt-4 max-h-[36rem] rounded-lg border border-line"
      both
    >
      <table class="w-full text-sm">
        <caption class="sr-only">{props.caption}</caption>
        <thead class="sticky top-0 bg-raised text-muted">
          <tr>
            {props.head.map((h, i) => (
              <th
                key={h}
                scope="col"
                class={`${TH} ${i === 0 ? "text-left" : "text-right"} whitespace-nowrap`}
              >
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </ScrollRegion>
  );
}

function Row(props: { label: string; cells: (string | number)[]; total?: boolean }) {
  return (
    <tr class={`border-t border-line ${props.total ? "font-semibold" : ""}`}>
      <th scope="row" class="px-3 py-1.5 text-left font-normal whitespace-nowrap">
        {props.total ? <b>{props.label}</b> : props.label}
      </th>
      {props.cells.map((c, i) => (
        <td key={i} class={TD}>{typeof c === "number" ? c.toLocaleString("en-US") : c}</td>
      ))}
    </tr>
  );
}

/** A signed amount: "−$130" with the minus sign U+2212. */
export function money(v: string, currency: string): string {
  return v.startsWith("-") ? `\u2212${formatMoney(v.slice(1), currency)}` : formatMoney(v, currency);
}

const label = (a: A) => {
  const name = periodLabel(a.granularity);
  return (iso: string) => name(Date.parse(iso) / 1000);
};

const rate = (r: string | null) => r === null ? "—" : `${(Number(r) * 100).toFixed(1)} %`;

export function RevenueTable({ a }: { a: A }) {
  const m = (v: string | null) => v === null ? "—" : money(v, a.currency);
  const name = label(a);
  const t = a.totals;
  return (
    <Table
      caption="Revenue by period"
      head={["Period", "Orders", "Gross", "Refunds", "Revenue", "Avg order", "Payouts paid", "Net"]}
    >
      {a.periods.map((p) => (
        <Row
          key={p.start}
          label={name(p.start)}
          cells={[
            p.orders,
            m(p.grossRevenue),
            m(p.refunds),
            m(p.revenue),
            m(p.averageOrder),
            m(p.payouts.paid.traderShare),
            m(p.net),
          ]}
        />
      ))}
      <Row
        total
        label="Total"
        cells={[
          t.orders,
          m(t.grossRevenue),
          m(t.refunds),
          m(t.revenue),
          m(t.averageOrder),
          m(t.payouts.paid.traderShare),
          m(t.net),
        ]}
      />
    </Table>
  );
}

export function PlanTable({ a }: { a: A }) {
  const m = (v: string) => money(v, a.currency);
  if (a.byPlan.length === 0) return <p class="mt-4 text-sm text-muted">No paid orders in this range.</p>;
  return (
    <Table caption="Revenue by plan" head={["Plan", "Orders", "Gross", "Refunds", "Revenue"]}>
      {a.byPlan.map((p) => (
        <Row
          key={p.planId}
          label={p.planName}
          cells={[p.orders, m(p.grossRevenue), m(p.refunds), m(p.revenue)]}
        />
      ))}
    </Table>
  );
}

export function PassRateTable({ a }: { a: A }) {
  const phases = a.totals.passRate.map((r) => r.phase);
  if (phases.length === 0) return <p class="mt-4 text-sm text-muted">No phase ended in this range.</p>;
  const name = label(a);
  const cells = (rates: A["totals"]["passRate"]) =>
    rates.flatMap((r) => [`${r.passed} / ${r.passed + r.failed}`, rate(r.rate)]);
  return (
    <Table
      caption="Pass rate per phase"
      head={["Period", ...phases.flatMap((p) => [`Phase ${p} passed / ended`, "Rate"])]}
    >
      {a.periods.map((p) => <Row key={p.start} label={name(p.start)} cells={cells(p.passRate)} />)}
      <Row total label="Total" cells={cells(a.totals.passRate)} />
    </Table>
  );
}

export const RULE_NAMES: Record<string, string> = {
  daily_loss: "Daily loss",
  max_loss: "Max loss",
  time_limit: "Time limit",
};

export function BreachTable({ a }: { a: A }) {
  const rules = breachRules(a);
  if (rules.length === 0) return <p class="mt-4 text-sm text-muted">No breaches in this range.</p>;
  const name = label(a);
  return (
    <Table caption="Breaches by rule" head={["Period", ...rules.map((r) => RULE_NAMES[r] ?? r)]}>
      {a.periods.map((p) => (
        <Row
          key={p.start}
          label={name(p.start)}
          cells={rules.map((r) => p.breaches[r] ?? 0)}
        />
      ))}
      <Row total label="Total" cells={rules.map((r) => a.totals.breaches[r] ?? 0)} />
    </Table>
  );
}

export function PayoutTable({ a }: { a: A }) {
  const name = label(a);
  const cells = (f: A["totals"]) =>
    (["requested", "approved", "paid"] as const).flatMap((
      k,
    ) => [f.payouts[k].count, money(f.payouts[k].traderShare, a.currency)]);
  return (
    <Table
      caption="Payouts (trader share)"
      head={["Period", "Requested", "Share", "Approved", "Share", "Paid", "Share"]}
    >
      {a.periods.map((p) => <Row key={p.start} label={name(p.start)} cells={cells(p)} />)}
      <Row total label="Total" cells={cells(a.totals)} />
    </Table>
  );
}

export function TraderTable({ a }: { a: A }) {
  const name = label(a);
  return (
    <Table
      caption="Active traders and funded accounts"
      head={["Period", "Active traders", "Funded accounts opened"]}
    >
      {a.periods.map((p) => (
        <Row key={p.start} label={name(p.start)} cells={[p.activeTraders, p.fundedAccounts]} />
      ))}
      <Row total label="Whole range (distinct)" cells={[a.totals.activeTraders, a.totals.fundedAccounts]} />
    </Table>
  );
}
