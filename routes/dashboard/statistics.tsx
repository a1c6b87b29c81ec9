import { z } from "zod";
import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import type { FieldErrors } from "../../lib/errors.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { listTraderAccounts } from "../../services/accounts/trader_accounts.ts";
import { rangeOf, rangeQuery } from "../../services/trading/filters.ts";
import { type AccountStatistics, accountStatistics } from "../../services/trading/statistics_queries.ts";
import { tradingDayKey } from "../../services/engine/trading_day.ts";
import { Field, FormError, Select } from "../../components/form.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import { PnlCalendar } from "./(_components)/pnl_calendar.tsx";
import { BreakdownTable, StatisticsTiles } from "./(_components)/statistics_tiles.tsx";

/** Signed-out visitors are sent to sign in and brought back here. */
export const access = "authenticated";

const querySchema = z.object({
  accountId: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.uuid("must be one of your accounts").optional(),
  ),
  ...rangeQuery,
  month: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, "must be a month YYYY-MM").optional(),
  ),
});

interface Data {
  accounts: { id: string; name: string }[];
  values: Record<string, string>;
  errors: FieldErrors | null;
  stats: AccountStatistics | null;
  month: string;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Statistics",
      "Win rate, profit factor, drawdown, Sharpe and your daily P&L calendar.",
    );
    const { deps, actor } = ctx.state;
    const user = ctx.state.user;
    const listed = await listTraderAccounts(deps.db.sql, user.id);
    const accounts = listed.map((a) => ({ id: a.id, name: `${a.planName} · ${a.stageName}` }));
    const raw = Object.fromEntries(ctx.url.searchParams);
    const values = Object.fromEntries(["accountId", "from", "to", "month"].map((k) => [k, raw[k] ?? ""]));
    const headers = { "cache-control": "no-store" };
    const thisMonth = tradingDayKey(Date.now(), { timeZone: user.timeZone, time: "00:00" }).slice(0, 7);
    const parsed = querySchema.safeParse(raw);
    if (!parsed.success) {
      const data = { accounts, values, errors: fieldErrors(parsed.error), stats: null, month: thisMonth };
      return page(data, { status: 422, headers });
    }
    const q = parsed.data;
    const accountId = q.accountId ?? accounts[0]?.id;
    // Another trader's id is a 404 here as in the API (staff may look at any account).
    const stats = accountId
      ? await accountStatistics(deps.db.sql, { ...user, actor }, accountId, rangeOf(q, user.timeZone))
      : null;
    values.accountId = accountId ?? "";
    const month = q.month ?? stats?.dailyPnl.at(-1)?.day.slice(0, 7) ?? thisMonth;
    return page({ accounts, values, errors: null, stats, month }, { headers });
  },
}, { access });

function query(values: Record<string, string>, extra: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...extra })) if (v) params.set(k, v);
  return `?${params}`;
}

export default define.page<typeof handler>(({ data }) => {
  const { stats, values } = data;
  const e = data.errors ?? {};
  return (
    <div class="container-page py-10">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Statistics</h1>
      <DashboardNav current="/dashboard/statistics" class="mt-4" />
      {data.accounts.length === 0 && !stats
        ? (
          <div class="card mt-8 max-w-2xl">
            <h2 class="text-xl font-bold tracking-tight">No accounts yet</h2>
            <p class="mt-2 text-muted">Statistics appear once an account has closed trades.</p>
            <a href="/challenges" class="btn-primary mt-6">Choose a challenge</a>
          </div>
        )
        : (
          <>
            <form
              method="get"
              action="/dashboard/statistics"
              class="card mt-6 p-4"
              aria-label="Choose account"
            >
              {e.month && <FormError>Month {e.month}.</FormError>}
              <div class="grid grid-cols-2 gap-3 sm:grid-cols-4">
                <Select
                  name="accountId"
                  label="Account"
                  value={values.accountId}
                  error={e.accountId}
                  class="col-span-2"
                  options={data.accounts.map((a) => ({ value: a.id, label: a.name }))}
                />
                <Field name="from" label="Closed from" type="date" value={values.from} error={e.from} />
                <Field name="to" label="Closed to" type="date" value={values.to} error={e.to} />
              </div>
              <button type="submit" class="btn-primary mt-4">Show</button>
            </form>
            {stats && <StatisticsBody stats={stats} values={values} month={data.month} />}
          </>
        )}
    </div>
  );
});

function StatisticsBody(props: { stats: AccountStatistics; values: Record<string, string>; month: string }) {
  const { stats } = props;
  const c = stats.currency;
  if (stats.trades === 0) {
    return (
      <div class="card mt-6">
        <h2 class="text-lg font-semibold">
          No closed trades {props.values.from || props.values.to ? "in this range" : "yet"}
        </h2>
        <p class="mt-2 text-muted">Figures appear here after the first closed trade.</p>
        <a class="btn-primary mt-4" href="/dashboard/history">See open trades</a>
      </div>
    );
  }
  return (
    <>
      <p class="mt-6 text-sm text-muted">
        Closed trades only. Days are your plan's trading days ({stats.reset.timeZone}, reset at{" "}
        {stats.reset.time}).
      </p>
      <StatisticsTiles stats={stats} />
      <PnlCalendar
        month={props.month}
        days={stats.dailyPnl}
        currency={c}
        hrefFor={(month) => `/dashboard/statistics${query(props.values, { month })}`}
      />
      <div class="mt-10 grid gap-6 lg:grid-cols-3">
        <BreakdownTable title="By symbol" keyLabel="Symbol" rows={stats.bySymbol} currency={c} />
        <BreakdownTable
          title="By direction"
          keyLabel="Direction"
          rows={stats.byDirection.map((r) => ({
            ...r,
            key: r.key === "buy" ? "Long (buy)" : "Short (sell)",
          }))}
          currency={c}
        />
        <BreakdownTable title="By weekday" keyLabel="Weekday" rows={stats.byWeekday} currency={c} />
      </div>
    </>
  );
}
