import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import type { FieldErrors } from "../../lib/errors.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { formatDateTime } from "../../services/time.ts";
import { listTraderAccounts } from "../../services/accounts/trader_accounts.ts";
import { historyFiltersOf, type HistoryQuery, historyQuerySchema } from "../../services/trading/filters.ts";
import { type HistoryPage, historyPage, historyScope } from "../../services/trading/history.ts";
import { isFormError } from "../../components/form.tsx";
import { ZoneNote } from "../../components/date_time.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import { SignedMoney } from "../../components/money.tsx";
import {
  filterQuery,
  HistoryFilterForm,
  RESULT_WORDS,
  resultOf,
  trimDecimal,
} from "./(_components)/history_filters.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";
import { listInstruments } from "../../services/venue/instruments.ts";
import { fixPrice } from "../../islands/live/trade_format.ts";

/** Signed-out visitors are sent to sign in and brought back here. */
export const access = "authenticated";

const PAGE_SIZE = 50;

interface Data {
  /** `name` for the filter's options; `plan` and `stage` for the table's two-line Account cell. */
  accounts: { id: string; name: string; plan: string; stage: string }[];
  /** The filter values as typed (for the form and the links). */
  values: Record<string, string>;
  errors: FieldErrors | null;
  result: HistoryPage;
  timeZone: string;
  /** Each listed symbol's price grid, so prices read as in the terminal (inactive instruments too). */
  ticks: Record<string, string>;
}

const FILTER_KEYS = ["accountId", "symbol", "direction", "result", "from", "to"] as const;

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Trade history", "Every trade of your accounts, filtered and exportable as CSV.");
    const { deps, actor } = ctx.state;
    const user = ctx.state.user;
    const listed = await listTraderAccounts(deps.db.sql, user.id);
    const accounts = listed.map((a) => ({
      id: a.id,
      name: `${a.planName} · ${a.stageName}`,
      plan: a.planName,
      stage: a.stageName,
    }));
    const raw = Object.fromEntries(ctx.url.searchParams);
    const values = Object.fromEntries(FILTER_KEYS.map((k) => [k, raw[k] ?? ""]));
    const empty: HistoryPage = { items: [], nextCursor: null, prevCursor: null };
    const headers = { "cache-control": "no-store" };
    const parsed = historyQuerySchema.safeParse(raw);
    if (!parsed.success) {
      return page({
        accounts,
        values,
        errors: fieldErrors(parsed.error),
        result: empty,
        timeZone: user.timeZone,
        ticks: {},
      }, {
        status: 422,
        headers,
      });
    }
    const q: HistoryQuery = parsed.data;
    const filters = historyFiltersOf(q, user.timeZone);
    try {
      const scope = await historyScope(deps.db.sql, { ...user, actor }, filters);
      const result = await historyPage(deps.db.sql, scope, filters, {
        limit: PAGE_SIZE,
        cursor: q.cursor,
        before: q.before,
      });
      const ticks = result.items.length === 0 ? {} : Object.fromEntries(
        (await listInstruments(deps.db.sql)).map((i) => [i.symbol, i.tickSize]),
      );
      return page({ accounts, values, errors: null, result, timeZone: user.timeZone, ticks }, { headers });
    } catch (error) {
      // A stale or edited cursor: say so beside the form instead of an error page.
      if (!isFormError(error)) throw error;
      return page({
        accounts,
        values,
        errors: error.fields ?? { cursor: error.message },
        result: empty,
        timeZone: user.timeZone,
        ticks: {},
      }, {
        status: error.status,
        headers,
      });
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { result, values, errors } = data;
  const names = new Map(data.accounts.map((a) => [a.id, a]));
  const showAccount = !values.accountId && data.accounts.length > 1;
  const filtered = FILTER_KEYS.some((k) => values[k]);
  // On the instrument's grid as the terminal writes it; a symbol the venue does not list (a connector's)
  // keeps its recorded decimal.
  const price = (symbol: string, value: string) => {
    const tick = data.ticks[symbol];
    return tick ? fixPrice(value, tick) : trimDecimal(value);
  };
  return (
    <div class="container-page py-10">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Trade history</h1>
      <DashboardNav current="/dashboard/history" class="mt-4" />
      <ZoneNote zone={data.timeZone} class="mt-2" />
      <HistoryFilterForm accounts={data.accounts} values={values} errors={errors} />
      <div class="mt-6 flex flex-wrap items-center justify-between gap-3">
        <p class="text-sm text-muted">
          Newest first. Times in your time zone ({data.timeZone}).
        </p>
        {/* Not while the filters are wrong: the CSV would refuse them too, and download an error page. */}
        {!errors && (
          <a class="link text-sm font-medium" href={`/dashboard/history.csv${filterQuery(values)}`} download>
            Download CSV{filtered ? " (these filters)" : ""}
          </a>
        )}
      </div>
      {result.items.length === 0
        ? (
          <div class="card mt-4">
            {/* With wrong filters nothing was searched, so "no trades match" would not be true. */}
            <h2 class="text-lg font-semibold">
              {errors ? "Check the filters" : filtered ? "No trades match these filters" : "No trades yet"}
            </h2>
            <p class="mt-2 text-muted">
              {errors
                ? "No trades shown: fix what the form above says, or clear the filters."
                : filtered
                ? "Widen the date range or clear a filter to see more."
                : "Trades appear here as soon as your platform reports them."}
            </p>
            {filtered
              ? <a class="btn-primary mt-4" href="/dashboard/history">Clear filters</a>
              : <a class="btn-primary mt-4" href="/dashboard">Back to your accounts</a>}
          </div>
        )
        : (
          <ScrollRegion
            label="Trades table (scrolls)"
            class="mt-4 max-h-[70vh] rounded-xl border border-line"
            both
          >
            <table class="w-full min-w-[60rem] text-left text-sm" id="history-table">
              <caption class="sr-only">Trades, newest first</caption>
              <thead class="sticky top-0 bg-raised">
                <tr>
                  <th scope="col" class="px-2.5 py-2">Opened</th>
                  {showAccount && <th scope="col" class="px-2.5 py-2">Account</th>}
                  <th scope="col" class="px-2.5 py-2">Trade</th>
                  <th scope="col" class="px-2.5 py-2">Symbol</th>
                  <th scope="col" class="px-2.5 py-2">Side</th>
                  <th scope="col" class="px-2.5 py-2 text-right">Volume</th>
                  <th scope="col" class="px-2.5 py-2 text-right">Entry</th>
                  <th scope="col" class="px-2.5 py-2 text-right">Exit</th>
                  <th scope="col" class="px-2.5 py-2 text-right">P&L</th>
                  <th scope="col" class="px-2.5 py-2">Result</th>
                  <th scope="col" class="px-2.5 py-2">Closed</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((t) => (
                  <tr key={t.id} class="border-t border-line" data-trade-id={t.tradeId}>
                    <td class="whitespace-nowrap px-2.5 py-2 tabular-nums">
                      {formatDateTime(new Date(t.openedAt), data.timeZone)}
                    </td>
                    {showAccount && (
                      // Plan over phase, not side by side: one line made the table too wide for a desktop.
                      <td class="px-2.5 py-1.5 leading-tight">
                        <a class="link whitespace-nowrap" href={`/dashboard/accounts/${t.accountId}`}>
                          {names.get(t.accountId)?.plan}
                        </a>
                        <span class="block whitespace-nowrap text-xs text-muted">
                          {names.get(t.accountId)?.stage}
                        </span>
                      </td>
                    )}
                    <td class="whitespace-nowrap px-2.5 py-2 font-mono text-xs">{t.tradeId}</td>
                    <td class="px-2.5 py-2 font-medium">{t.symbol}</td>
                    <td class="px-2.5 py-2">{t.direction === "buy" ? "Buy" : "Sell"}</td>
                    <td class="px-2.5 py-2 text-right tabular-nums">{trimDecimal(t.volume)}</td>
                    <td class="px-2.5 py-2 text-right tabular-nums">{price(t.symbol, t.entryPrice)}</td>
                    <td class="px-2.5 py-2 text-right tabular-nums">
                      {t.exitPrice === null ? "—" : price(t.symbol, t.exitPrice)}
                    </td>
                    <td class="whitespace-nowrap px-2.5 py-2 text-right font-semibold">
                      {t.pnl === null
                        ? <span class="text-muted">open</span>
                        : <SignedMoney amount={t.pnl} currency={t.currency} />}
                    </td>
                    <td class="px-2.5 py-2">{RESULT_WORDS[resultOf(t)]}</td>
                    <td class="whitespace-nowrap px-2.5 py-2 tabular-nums">
                      {t.closedAt === null ? "—" : formatDateTime(new Date(t.closedAt), data.timeZone)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      {(result.prevCursor || result.nextCursor) && (
        <nav aria-label="Pages" class="mt-4 flex justify-between gap-4 text-sm font-medium">
          {result.prevCursor
            ? <a class="link" rel="prev" href={filterQuery(values, { before: result.prevCursor })}>← Newer</a>
            : <span />}
          {result.nextCursor && (
            <a class="link" rel="next" href={filterQuery(values, { cursor: result.nextCursor })}>Older →</a>
          )}
        </nav>
      )}
    </div>
  );
});
