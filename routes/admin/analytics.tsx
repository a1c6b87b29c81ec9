import type { ComponentChildren } from "preact";
import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { HttpError } from "../../lib/errors.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { type BusinessAnalytics, businessAnalytics } from "../../services/analytics/business.ts";
import type { AnalyticsTable } from "../../services/analytics/csv.ts";
import { analyticsQuery, analyticsRange } from "../../services/analytics/input.ts";
import { Field, FormError, Select } from "../../components/form.tsx";
import { StatGrid, StatTile } from "../../components/stat_tile.tsx";
import {
  BreachTable,
  money,
  PassRateTable,
  PayoutTable,
  PlanTable,
  RevenueTable,
  RULE_NAMES,
  TraderTable,
} from "../../components/analytics_tables.tsx";
import AnalyticsChart, { type ChartSeries } from "../../islands/analytics_chart.tsx";

/** The firm's figures (DESIGN §3.4) with charts, tables and a CSV of each table. Admin only. */
export const access = rolesWith("analytics.read");

interface Data {
  form: { from: string; to: string; granularity: string };
  errors: Record<string, string>;
  analytics: BusinessAnalytics | null;
}

/** Okabe–Ito colours: apart for colour-blind readers; each line also has its own dash. */
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
const DASHES: ChartSeries["kind"][] = ["solid", "dashed", "dotted"];

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Analytics", "Revenue, pass rates, breaches, payouts and traders by period.");
    const params = Object.fromEntries(ctx.url.searchParams);
    const parsed = analyticsQuery.safeParse(params);
    let errors: Record<string, string> = {};
    let analytics: BusinessAnalytics | null = null;
    let range = null;
    if (!parsed.success) errors = fieldErrors(parsed.error);
    else {
      try {
        range = analyticsRange(parsed.data, new Date());
      } catch (error) {
        if (!(error instanceof HttpError) || !error.fields) throw error;
        errors = error.fields;
      }
    }
    if (range) analytics = await businessAnalytics(ctx.state.deps.db.sql, range.range, range.periods);
    const lastDay = range ? new Date(+range.range.to - 1).toISOString().slice(0, 10) : params.to ?? "";
    const form = {
      from: range ? range.range.from.toISOString().slice(0, 10) : params.from ?? "",
      to: lastDay,
      granularity: range?.range.granularity ?? params.granularity ?? "month",
    };
    return page<Data>({ form, errors, analytics }, {
      status: analytics ? 200 : 422,
      headers: { "cache-control": "no-store" },
    });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const a = data.analytics;
  const errors = Object.entries(data.errors);
  return (
    <>
      <h1 class="text-2xl font-bold tracking-tight">Analytics</h1>
      <p class="mt-1 text-sm text-muted">
        Periods are UTC days, ISO weeks (from Monday) or calendar months. Revenue is what was paid less what
        was refunded, each in the period it happened.
      </p>
      <form method="get" class="mt-4 flex flex-wrap items-end gap-3" aria-label="Range">
        <Field name="from" label="From" type="date" value={data.form.from} error={data.errors.from} />
        <Field name="to" label="To (inclusive)" type="date" value={data.form.to} error={data.errors.to} />
        <Select
          name="granularity"
          label="By"
          value={data.form.granularity}
          error={data.errors.granularity}
          options={[
            { value: "day", label: "Day" },
            { value: "week", label: "Week" },
            { value: "month", label: "Month" },
          ]}
        />
        <button type="submit" class="btn-primary">Show</button>
      </form>
      {errors.length > 0 && (
        <div class="mt-4">
          <FormError>
            {errors.map(([k, v]) => `${k === "to" ? "To" : k[0].toUpperCase() + k.slice(1)} ${v}.`).join(" ")}
          </FormError>
        </div>
      )}
      {a && <Report a={a} />}
    </>
  );
});

function Report({ a }: { a: BusinessAnalytics }) {
  const t = a.totals;
  const m = (v: string | null) => v === null ? "—" : money(v, a.currency);
  const times = a.periods.map((p) => Date.parse(p.start) / 1000);
  const common = { times, granularity: a.granularity, currency: a.currency };
  const csv = (table: AnalyticsTable) =>
    `/api/admin/analytics?${new URLSearchParams({
      from: a.from,
      to: a.to,
      granularity: a.granularity,
      currency: a.currency,
      format: "csv",
      table,
    })}`;
  const line = (i: number, label: string, values: (string | null)[]): ChartSeries => ({
    label,
    color: COLORS[i % COLORS.length],
    kind: DASHES[i % DASHES.length],
    values,
  });
  const phases = t.passRate.map((r) => r.phase);
  const rules = Object.keys(t.breaches).sort();
  return (
    <>
      <div class="mt-6">
        <StatGrid label="Totals for the range">
          <StatTile label="Revenue" sub={`${m(t.grossRevenue)} paid − ${m(t.refunds)} refunded`}>
            {m(t.revenue)}
          </StatTile>
          <StatTile label="Orders paid" sub={`average ${m(t.averageOrder)}`}>
            {t.orders.toLocaleString("en-US")}
          </StatTile>
          <StatTile
            label="Payouts paid"
            sub={`${t.payouts.paid.count} ${t.payouts.paid.count === 1 ? "payout" : "payouts"}`}
          >
            {m(t.payouts.paid.traderShare)}
          </StatTile>
          <StatTile label="Net" sub="revenue − payouts paid">{m(t.net)}</StatTile>
          <StatTile label="Active traders" sub="distinct, whole range">
            {t.activeTraders.toLocaleString("en-US")}
          </StatTile>
          <StatTile label="Funded accounts" sub="opened">{t.fundedAccounts}</StatTile>
          {t.passRate.map((r) => (
            <StatTile
              key={r.phase}
              label={`Phase ${r.phase} pass rate`}
              sub={`${r.passed} of ${r.passed + r.failed} ended`}
            >
              {r.rate === null ? "—" : `${(Number(r.rate) * 100).toFixed(1)} %`}
            </StatTile>
          ))}
        </StatGrid>
      </div>

      <Section id="revenue" title="Revenue by period" csv={csv("revenue")}>
        <AnalyticsChart
          {...common}
          id="chart-revenue"
          title="Revenue by period"
          format="money"
          series={[
            { label: "Revenue", color: COLORS[0], kind: "bars", values: a.periods.map((p) => p.revenue) },
            {
              label: "Net (after payouts)",
              color: COLORS[5],
              kind: "dashed",
              values: a.periods.map((p) => p.net),
            },
          ]}
        />
        <RevenueTable a={a} />
      </Section>

      <Section id="plans" title="Revenue by plan" csv={csv("plans")}>
        {a.byPlan.length > 0 && (
          <AnalyticsChart
            {...common}
            id="chart-plans"
            title="Revenue by plan"
            format="money"
            series={a.byPlan.slice(0, 6).map((p, i) => line(i, p.planName, p.byPeriod))}
          />
        )}
        <PlanTable a={a} />
      </Section>

      <Section id="pass-rate" title="Pass rate per phase" csv={csv("pass_rate")}>
        {phases.length > 0 && (
          <AnalyticsChart
            {...common}
            id="chart-pass-rate"
            title="Pass rate per phase"
            format="percent"
            series={phases.map((phase, i) =>
              line(
                i,
                `Phase ${phase}`,
                a.periods.map((p) => p.passRate.find((r) => r.phase === phase)?.rate ?? null),
              )
            )}
          />
        )}
        <PassRateTable a={a} />
      </Section>

      <Section id="breaches" title="Breaches by rule" csv={csv("breaches")}>
        {rules.length > 0 && (
          <AnalyticsChart
            {...common}
            id="chart-breaches"
            title="Breaches by rule"
            format="count"
            series={rules.map((r, i) =>
              line(i + 3, RULE_NAMES[r] ?? r, a.periods.map((p) => String(p.breaches[r] ?? 0)))
            )}
          />
        )}
        <BreachTable a={a} />
      </Section>

      <Section id="payouts" title="Payouts (trader share)" csv={csv("payouts")}>
        <AnalyticsChart
          {...common}
          id="chart-payouts"
          title="Payouts"
          format="money"
          series={(["requested", "approved", "paid"] as const).map((k, i) =>
            line(i, k[0].toUpperCase() + k.slice(1), a.periods.map((p) => p.payouts[k].traderShare))
          )}
        />
        <PayoutTable a={a} />
      </Section>

      <Section id="traders" title="Active traders" csv={csv("traders")}>
        <AnalyticsChart
          {...common}
          id="chart-traders"
          title="Active traders"
          format="count"
          series={[
            {
              label: "Active traders",
              color: COLORS[2],
              kind: "bars",
              values: a.periods.map((p) => String(p.activeTraders)),
            },
            {
              label: "Funded accounts opened",
              color: COLORS[1],
              kind: "dashed",
              values: a.periods.map((p) => String(p.fundedAccounts)),
            },
          ]}
        />
        <TraderTable a={a} />
      </Section>
      <p class="mt-6 text-xs text-muted">
        Charts by{" "}
        <a class="link" href="https://www.tradingview.com/" rel="noopener">TradingView Lightweight Charts</a>
      </p>
    </>
  );
}

function Section(props: { id: string; title: string; csv: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={`${props.id}-h`} class="card mt-6 p-4 sm:p-6">
      <div class="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${props.id}-h`} class="text-lg font-semibold tracking-tight">{props.title}</h2>
        <a class="link text-sm" href={props.csv} download>
          Download CSV<span class="sr-only">of {props.title.toLowerCase()}</span>
        </a>
      </div>
      {props.children}
    </section>
  );
}
