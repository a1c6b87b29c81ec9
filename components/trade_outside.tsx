import { formatDateTime, signedMoney } from "./figures.ts";
import { Side, TD, TH, tone } from "./trade_rows.tsx";
import { fixPrice, lots } from "../islands/live/trade_format.ts";
import { markPrice } from "../services/venue/pnl.ts";
import type {
  ClosedTradeJson,
  OutsidePositionJson,
  TickJson,
  TradeSource,
} from "../islands/live/venue_types.ts";
import { ScrollRegion } from "./scroll_region.tsx";

/**
 * The terminal's rows for trades that did not start on the venue (islands/trade_book.tsx): a connector's open
 * positions, read-only (the venue cannot close what a platform holds), and the latest closed trades of both
 * sources. Every row says where it came from in words. Browser-safe: rendered inside the island.
 */

const SOURCE: Record<TradeSource, { label: string; title: string; class: string }> = {
  venue: {
    label: "Venue",
    title: "Traded here, on the built-in venue",
    class: "border-brand-strong/50 text-brand-strong",
  },
  connector: {
    label: "Connector",
    title: "Reported by your trading platform's connector; change or close it on that platform",
    class: "border-line text-muted",
  },
};

/** Where a trade came from, as a word in a pill (the word carries it; the colour only repeats it). */
export function SourceBadge(props: { source: TradeSource }) {
  const s = SOURCE[props.source];
  return (
    <span
      class={`inline-flex items-center rounded-full border px-1.5 text-[0.6875rem] font-semibold leading-4 ${s.class}`}
      title={s.title}
      data-source={props.source}
    >
      {s.label}
    </span>
  );
}

/**
 * What a phone shows under the symbol instead of the columns it hides: side and volume, then the source on a
 * line of its own (beside them it would widen the column and push P&L under the sticky actions).
 */
export function PhoneLines(props: { direction: "buy" | "sell"; volume: string; source?: TradeSource }) {
  return (
    <span class="block text-xs font-normal sm:hidden">
      <Side direction={props.direction} /> {lots(props.volume)}
      {props.source && (
        <span class="mt-0.5 block">
          <SourceBadge source={props.source} />
        </span>
      )}
    </span>
  );
}

/**
 * One open position of a connector's, in the positions table's columns: no SL/TP (the platform keeps them)
 * and, instead of actions, where to change it.
 */
export function OutsideRow(props: {
  position: OutsidePositionJson;
  pnl: string | null;
  quote: TickJson | undefined;
  tick: string;
  currency: string;
  timeZone: string;
  actions: boolean;
  sticky: string;
  onSymbol(symbol: string): void;
}) {
  const p = props.position;
  return (
    <tr class="border-t border-line" data-outside-position={p.tradeId}>
      <td class={`${TD} font-semibold`}>
        <button type="button" class="link" onClick={() => props.onSymbol(p.symbol)}>{p.symbol}</button>
        <PhoneLines direction={p.direction} volume={p.volume} source="connector" />
      </td>
      <td class={`${TD} max-sm:hidden`}>
        <SourceBadge source="connector" />
      </td>
      <td class={`${TD} max-sm:hidden`}>
        <Side direction={p.direction} />
      </td>
      <td class={`${TD} text-right tabular-nums max-sm:hidden`}>{lots(p.volume)}</td>
      <td class={`${TD} text-right font-semibold tabular-nums ${tone(props.pnl)}`} data-figure="pnl">
        {props.pnl == null ? "—" : signedMoney(props.pnl, props.currency)}
      </td>
      <td class={`${TD} text-right tabular-nums`}>{fixPrice(p.openPrice, props.tick)}</td>
      <td class={`${TD} text-right tabular-nums`}>
        {props.quote ? fixPrice(markPrice(p.direction, props.quote), props.tick) : "—"}
      </td>
      <td class={`${TD} text-right text-muted`}>—</td>
      <td class={`${TD} text-right text-muted`}>—</td>
      <td class={`${TD} tabular-nums text-muted`}>{formatDateTime(new Date(p.openedAt), props.timeZone)}</td>
      {props.actions && (
        <td class={`${TD} ${props.sticky} text-right text-xs text-muted`}>
          <span title={SOURCE.connector.title}>On your platform</span>
        </td>
      )}
    </tr>
  );
}

/** Under the positions table while a connector's are in it: what they are and why they have no buttons. */
export function OutsideNote(props: { shown: number; open: number }) {
  return (
    <p class="mt-2 text-xs text-muted" data-outside-note>
      Connector positions come from your trading platform: change or close them there. They are marked here at
      the venue's prices, which may differ slightly from your platform's
      {props.open > props.shown && ` (the newest ${props.shown} of ${props.open} shown)`}.
    </p>
  );
}

/** The latest closed trades of both sources, newest close first, each with its source. */
export function ClosedTrades(props: {
  trades: ClosedTradeJson[];
  accountId: string;
  currency: string;
  timeZone: string;
  tickOf(symbol: string): string;
}) {
  const history = `/dashboard/history?accountId=${props.accountId}`;
  return (
    <>
      <div class="mt-5 flex flex-wrap items-baseline justify-between gap-2">
        <h2 class="text-base font-semibold tracking-tight" id="closed-h">
          Recent closed trades <span class="font-normal text-muted">({props.trades.length})</span>
        </h2>
        <a class="link text-sm" href={history}>Full history</a>
      </div>
      {props.trades.length === 0
        ? <p class="mt-2 text-sm text-muted">No closed trades yet.</p>
        : (
          <ScrollRegion labelledBy="closed-h" class="relative mt-2">
            <table class="w-full text-left text-sm sm:min-w-[46rem]">
              <caption class="sr-only">
                The latest closed trades on this account, from the venue and from your platform's connector
              </caption>
              <thead class="border-b border-line">
                <tr>
                  <th scope="col" class={TH}>Symbol</th>
                  <th scope="col" class={`${TH} max-sm:hidden`}>Source</th>
                  <th scope="col" class={`${TH} max-sm:hidden`}>Side</th>
                  <th scope="col" class={`${TH} text-right max-sm:hidden`}>Volume</th>
                  <th scope="col" class={`${TH} text-right`}>P&L</th>
                  <th scope="col" class={`${TH} text-right max-sm:hidden`}>Entry</th>
                  <th scope="col" class={`${TH} text-right max-sm:hidden`}>Exit</th>
                  <th scope="col" class={`${TH} max-sm:hidden`}>Closed</th>
                </tr>
              </thead>
              <tbody>
                {props.trades.map((t) => {
                  const tick = props.tickOf(t.symbol);
                  return (
                    <tr key={`${t.source}-${t.tradeId}`} class="border-t border-line" data-closed={t.tradeId}>
                      <td class={`${TD} font-semibold`}>
                        {t.symbol}
                        <PhoneLines direction={t.direction} volume={t.volume} source={t.source} />
                      </td>
                      <td class={`${TD} max-sm:hidden`}>
                        <SourceBadge source={t.source} />
                      </td>
                      <td class={`${TD} max-sm:hidden`}>
                        <Side direction={t.direction} />
                      </td>
                      <td class={`${TD} text-right tabular-nums max-sm:hidden`}>{lots(t.volume)}</td>
                      <td class={`${TD} text-right font-semibold tabular-nums ${tone(t.pnl)}`}>
                        {signedMoney(t.pnl, props.currency)}
                        <span class="block text-xs font-normal text-muted sm:hidden">
                          {formatDateTime(new Date(t.closedAt), props.timeZone)}
                        </span>
                      </td>
                      <td class={`${TD} text-right tabular-nums max-sm:hidden`}>
                        {fixPrice(t.entryPrice, tick)}
                      </td>
                      <td class={`${TD} text-right tabular-nums max-sm:hidden`}>
                        {fixPrice(t.exitPrice, tick)}
                      </td>
                      <td class={`${TD} tabular-nums text-muted max-sm:hidden`}>
                        {formatDateTime(new Date(t.closedAt), props.timeZone)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
        )}
    </>
  );
}
