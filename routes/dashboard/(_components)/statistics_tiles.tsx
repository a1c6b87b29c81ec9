import type { AccountStatistics } from "../../../services/trading/statistics_queries.ts";
import type { Breakdown } from "../../../services/trading/statistics.ts";
import { StatGrid, StatTile } from "../../../components/stat_tile.tsx";
import { formatAmount, SignedMoney } from "../../../components/money.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";
import { percent } from "../../../components/figures.ts";
import { Day } from "../../../components/date_time.tsx";

/** "0.4000" (a ratio) → "40 %" ("0.4125" → "41.25 %"), by moving the decimal point: no float in between. */
export function percentOfRatio(ratio: string): string {
  const negative = ratio.startsWith("-");
  const [whole, fraction = ""] = ratio.replace("-", "").split(".");
  const digits = (whole + fraction.padEnd(4, "0")).replace(/^0+(?=\d{3})/, "");
  const cut = digits.length - 2;
  return `${negative ? "−" : ""}${percent(`${digits.slice(0, cut)}.${digits.slice(cut)}`)}`;
}

const DASH = <span class="text-muted">—</span>;

/** A ratio as written (4 places), or a dash where it is undefined. */
function Ratio(props: { value: string | null }) {
  return props.value === null ? DASH : <>{props.value.replace("-", "−")}</>;
}

/** Every figure of DESIGN §3.1 as a tile, grouped: results, averages, risk. */
export function StatisticsTiles({ stats: s }: { stats: AccountStatistics }) {
  const c = s.currency;
  const money = (v: string | null) => v === null ? DASH : <SignedMoney amount={v} currency={c} />;
  const plain = (v: string | null) => v === null ? DASH : <>{formatAmount(v, c)}</>;
  const tradingDays = s.dailyPnl.length;
  return (
    <div class="mt-4 space-y-6">
      <section aria-labelledby="results-h">
        <h2 id="results-h" class="mb-3 text-lg font-semibold">Results</h2>
        <StatGrid label="Results">
          <StatTile label="Net profit" sub={`${s.trades} closed trades`}>{money(s.netProfit)}</StatTile>
          <StatTile label="Win rate" sub={`${s.wins} wins · ${s.losses} losses · ${s.breakeven} breakeven`}>
            {s.winRate === null ? DASH : percentOfRatio(s.winRate)}
          </StatTile>
          <StatTile label="Gross profit">{plain(s.grossProfit)}</StatTile>
          <StatTile label="Gross loss">{plain(s.grossLoss)}</StatTile>
          <StatTile label="Profit factor" sub="Gross profit ÷ gross loss">
            <Ratio value={s.profitFactor} />
          </StatTile>
          <StatTile label="Expectancy" sub="Net profit per trade">{money(s.expectancy)}</StatTile>
          <StatTile label="Long (buy)" sub={`${s.long.count} trades`}>{money(s.long.net)}</StatTile>
          <StatTile label="Short (sell)" sub={`${s.short.count} trades`}>{money(s.short.net)}</StatTile>
        </StatGrid>
      </section>
      <section aria-labelledby="trades-h">
        <h2 id="trades-h" class="mb-3 text-lg font-semibold">Trades and days</h2>
        <StatGrid label="Trades and days">
          <StatTile label="Average win">{plain(s.averageWin)}</StatTile>
          <StatTile label="Average loss">{plain(s.averageLoss)}</StatTile>
          <StatTile label="Payoff ratio" sub="Average win ÷ average loss">
            <Ratio value={s.payoffRatio} />
          </StatTile>
          <StatTile label="Average hold" sub="Open to close">
            {s.averageHoldMinutes === null ? DASH : `${s.averageHoldMinutes} min`}
          </StatTile>
          <StatTile label="Best trade" sub={s.bestTrade?.tradeId}>{money(s.bestTrade?.pnl ?? null)}</StatTile>
          <StatTile label="Worst trade" sub={s.worstTrade?.tradeId}>
            {money(s.worstTrade?.pnl ?? null)}
          </StatTile>
          <StatTile label="Best day" sub={s.bestDay && <Day day={s.bestDay.day} />}>
            {money(s.bestDay?.pnl ?? null)}
          </StatTile>
          <StatTile label="Worst day" sub={s.worstDay && <Day day={s.worstDay.day} />}>
            {money(s.worstDay?.pnl ?? null)}
          </StatTile>
          <StatTile label="Winning days" sub={`of ${tradingDays} days with closed trades`}>
            {s.winningDays}
          </StatTile>
        </StatGrid>
      </section>
      <section aria-labelledby="risk-h">
        <h2 id="risk-h" class="mb-3 text-lg font-semibold">Risk</h2>
        <StatGrid label="Risk">
          <StatTile
            label="Max drawdown (balance)"
            sub={s.maxDrawdown?.percent != null
              ? `${percent(s.maxDrawdown.percent)} of the peak ${formatAmount(s.maxDrawdown.peak, c)}`
              : undefined}
          >
            {s.maxDrawdown === null ? DASH : <>{formatAmount(s.maxDrawdown.amount, c)}</>}
          </StatTile>
          <StatTile
            label="Max drawdown (equity)"
            sub={s.maxDrawdownEquity?.percent != null
              ? `${percent(s.maxDrawdownEquity.percent)} of the peak ${
                formatAmount(s.maxDrawdownEquity.peak, c)
              }`
              : "No equity samples yet"}
          >
            {s.maxDrawdownEquity === null ? DASH : <>{formatAmount(s.maxDrawdownEquity.amount, c)}</>}
          </StatTile>
          <StatTile label="Sharpe ratio" sub="Daily returns, annualised (√252)">
            <Ratio value={s.sharpe} />
          </StatTile>
          <StatTile label="Sortino ratio" sub="Downside deviation only">
            <Ratio value={s.sortino} />
          </StatTile>
        </StatGrid>
      </section>
    </div>
  );
}

/** Net P&L and trade count per key (symbol, direction, weekday), in a table that scrolls in its own box. */
export function BreakdownTable(
  props: { title: string; keyLabel: string; rows: readonly Breakdown[]; currency: string },
) {
  return (
    <section aria-label={props.title}>
      <h2 class="text-lg font-semibold">{props.title}</h2>
      <ScrollRegion label={`${props.title}, table`} class="mt-2 rounded-xl border border-line">
        <table class="w-full text-left text-sm">
          <thead class="bg-raised">
            <tr>
              <th scope="col" class="px-3 py-2">{props.keyLabel}</th>
              <th scope="col" class="px-3 py-2 text-right">Trades</th>
              <th scope="col" class="px-3 py-2 text-right">Net P&L</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.key} class="border-t border-line">
                <th scope="row" class="px-3 py-2 font-medium">{r.key}</th>
                <td class="px-3 py-2 text-right tabular-nums">{r.trades}</td>
                <td class="px-3 py-2 text-right font-semibold">
                  <SignedMoney amount={r.net} currency={props.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}
