import { useEffect, useRef, useState } from "preact/hooks";
import { connectPrices, quotes, seedQuotes } from "./live/price_stream.ts";
import { selectSymbol, type TerminalSeed, terminalStore } from "./live/terminal_store.ts";
import { compareDecimal, subDecimal } from "../services/venue/decimal.ts";
import { fixPrice } from "./live/trade_format.ts";
import type { TickJson } from "./live/venue_types.ts";

/**
 * The symbol selector with live bid and ask: one button per instrument (pressed = the chart's and ticket's
 * symbol), the last move shown by an arrow and a word for screen readers, the spread in price units, and
 * "closed" outside trading hours. It opens the tab's one price stream for every listed symbol, so the
 * conversions behind P&L stay live too. A row at 390 px scrolls sideways inside its own box.
 */
export default function TradeWatchlist(props: { seed: TerminalSeed; quotes: TickJson[] }) {
  const store = terminalStore(props.seed);
  useState(() => seedQuotes(props.quotes)); // once, before the first render reads the book
  const previous = useRef<Record<string, string>>({});
  const moves = useRef<Record<string, -1 | 0 | 1>>({});
  useEffect(() => connectPrices(store.instruments.peek().map((i) => i.symbol)), []);

  const book = quotes.value;
  for (const i of store.instruments.value) {
    const bid = book[i.symbol]?.bid;
    const before = previous.current[i.symbol];
    if (bid && before && bid !== before) moves.current[i.symbol] = compareDecimal(bid, before) as -1 | 1;
    if (bid) previous.current[i.symbol] = bid;
  }
  const selected = store.symbol.value;
  return (
    <section aria-labelledby="watch-h" class="card min-w-0 p-0">
      <h2 id="watch-h" class="px-3 pt-3 text-sm font-semibold">
        Symbols <span class="font-normal text-muted">· bid / ask</span>
      </h2>
      <ul class="mt-2 flex gap-1 overflow-x-auto px-2 pb-2 lg:flex-col lg:overflow-visible">
        {store.instruments.value.map((i) => {
          const q = book[i.symbol];
          const move = moves.current[i.symbol] ?? 0;
          const pressed = i.symbol === selected;
          return (
            <li key={i.symbol} class="shrink-0">
              <button
                type="button"
                aria-pressed={pressed}
                data-symbol={i.symbol}
                onClick={() => selectSymbol(store, i.symbol)}
                class={`relative grid w-full min-w-40 grid-cols-[1fr_auto] gap-x-3 rounded-lg border px-2.5 py-1.5 text-left text-sm ${
                  pressed ? "border-brand-strong bg-surface" : "border-transparent hover:border-line"
                }`}
              >
                <span class="font-semibold">{i.symbol}</span>
                <span class="text-right text-xs text-muted">
                  {i.open ? (q ? `spread ${fixPrice(subDecimal(q.ask, q.bid), i.tickSize)}` : "") : "closed"}
                </span>
                <span class="tabular-nums" data-quote="bid">
                  <span
                    aria-hidden="true"
                    class={move > 0
                      ? "text-brand-strong"
                      : move < 0
                      ? "text-red-700 dark:text-red-300"
                      : "text-muted"}
                  >
                    {move > 0 ? "▲" : move < 0 ? "▼" : "•"}
                  </span>{" "}
                  <span class="sr-only">{move > 0 ? "up, " : move < 0 ? "down, " : ""}bid</span>
                  {q ? fixPrice(q.bid, i.tickSize) : "—"}
                </span>
                <span class="text-right tabular-nums" data-quote="ask">
                  <span class="sr-only">ask</span>
                  {q ? fixPrice(q.ask, i.tickSize) : "—"}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
