import { useEffect, useRef, useState } from "preact/hooks";
import { chartTheme, onSchemeChange, themeOptions } from "../components/chart_theme.ts";
import { LiveMarker, useNow } from "../components/live.tsx";
import { formatDateTime } from "../components/figures.ts";
import type { AutoscaleInfo, IPriceLine, ISeriesApi, UTCTimestamp } from "../components/candle_lib.ts";
import { lastTickAt, onTicks, priceConnection, quotes } from "./live/price_stream.ts";
import { type TerminalSeed, terminalStore } from "./live/terminal_store.ts";
import type { BarJson, TickJson, VenueAccountJson } from "./live/venue_types.ts";
import { lots, priceDigits } from "./live/trade_format.ts";

/** Line colours that stay apart for colour-blind readers; each kind also has its own line style and title. */
export const LINE_COLORS = {
  buy: "#2563eb",
  sell: "#c2410c",
  sl: "#b91c1c",
  tp: "#0e7a5f",
  pending: "#7c3aed",
} as const;

/** How many 1-minute bars the chart opens with (a trading session's worth at a glance). */
const BARS = 240;

interface Candle {
  time: UTCTimestamp;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * The terminal's candlestick chart (lightweight-charts, loaded on mount): 1-minute bars of the selected
 * symbol from `GET /api/venue/bars`, then every tick of the price stream moving the last candle (bid, as
 * the bars are), with the account's open positions (entry, SL, TP) and pending orders drawn as price lines.
 * Up candles are hollow and down candles filled, so the direction does not rest on colour alone. Plotting
 * takes numbers: prices are display-only here and stay decimal strings everywhere else.
 */
export default function TradeChart(props: { seed: TerminalSeed; timeZone: string }) {
  const store = terminalStore(props.seed);
  const box = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [bars, setBars] = useState(0);
  const now = useNow();
  const symbol = store.symbol.value;
  const instrument = store.instruments.value.find((i) => i.symbol === symbol);
  const quote = quotes.value[symbol];
  const seriesRef = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const linesRef = useRef<IPriceLine[]>([]);
  /** The prices of the drawn lines: the price scale keeps them in view (an SL far off stays visible). */
  const levelsRef = useRef<number[]>([]);

  // One chart per symbol: bars loaded, then ticks appended; the lines are redrawn by the effect below.
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      const lib = await import("../components/candle_lib.ts");
      if (disposed || !box.current) return;
      const theme = chartTheme();
      const digits = priceDigits(instrument?.tickSize ?? "0.00001");
      const zone = props.timeZone;
      const chart = lib.createChart(box.current, {
        autoSize: true,
        ...themeOptions(theme),
        layout: {
          ...themeOptions(theme).layout,
          background: { color: "transparent" },
          // The library's logo injects an inline <style>, which the page's CSP refuses; the frame credits
          // TradingView in text instead (what the library's licence asks for).
          attributionLogo: false,
        },
        rightPriceScale: { borderVisible: false },
        timeScale: {
          borderVisible: false,
          timeVisible: true,
          secondsVisible: false,
          // The axis in the viewer's zone too (the library's own labels are UTC).
          tickMarkFormatter: (t: number, type: number) => {
            const [day, time] = formatDateTime(new Date(t * 1000), zone).split(", ");
            return type === lib.TickMarkType.Time || type === lib.TickMarkType.TimeWithSeconds
              ? time
              : day.split(" ").slice(0, 2).join(" ");
          },
        },
        localization: { timeFormatter: (t: number) => formatDateTime(new Date(t * 1000), zone) },
      });
      const series = chart.addSeries(lib.CandlestickSeries, {
        ...candleColors(theme.dark),
        priceFormat: { type: "price", precision: digits, minMove: 1 / 10 ** digits },
        autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
          const info = original();
          const levels = levelsRef.current;
          if (!info?.priceRange || !levels.length) return info;
          return {
            ...info,
            priceRange: {
              minValue: Math.min(info.priceRange.minValue, ...levels),
              maxValue: Math.max(info.priceRange.maxValue, ...levels),
            },
          };
        },
      });
      seriesRef.current = series;
      linesRef.current = [];
      let last: Candle | null = null;

      const put = (tick: TickJson) => {
        if (tick.symbol !== symbol) return;
        const price = Number(tick.bid);
        const time = (Math.floor(tick.at / 60_000) * 60) as UTCTimestamp;
        if (last && time < last.time) return; // older than the chart's end: already in a bar
        last = last && last.time === time
          ? { ...last, high: Math.max(last.high, price), low: Math.min(last.low, price), close: price }
          : { time, open: price, high: price, low: price, close: price };
        series.update(last);
      };

      const to = Math.floor(Date.now() / 1000);
      try {
        const res = await fetch(
          `/api/venue/bars?symbol=${encodeURIComponent(symbol)}&from=${
            to - BARS * 60
          }&to=${to}&limit=${BARS}`,
          { headers: { accept: "application/json" } },
        );
        if (!res.ok) throw new Error(`status ${res.status}`);
        const body = await res.json() as { bars: BarJson[] };
        if (disposed) return;
        const candles = body.bars.map((b): Candle => ({
          time: b.time as UTCTimestamp,
          open: Number(b.open),
          high: Number(b.high),
          low: Number(b.low),
          close: Number(b.close),
        }));
        series.setData(candles);
        last = candles.at(-1) ?? null;
        setBars(candles.length);
        setProblem(null);
      } catch {
        setProblem("The price history could not be loaded; new prices still appear as they arrive.");
      }
      const latest = quotes.peek()[symbol];
      if (latest) put(latest);
      const stop = onTicks((ticks) => ticks.forEach(put));
      chart.timeScale().scrollToRealTime();
      const unfollow = onSchemeChange((next) => {
        chart.applyOptions(themeOptions(next));
        series.applyOptions(candleColors(next.dark));
      });
      cleanup = () => {
        stop();
        unfollow();
        seriesRef.current = null;
        linesRef.current = [];
        chart.remove();
      };
      levelsRef.current = drawLines(series, linesRef, store.venue.peek(), symbol);
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [symbol]);

  const venue = store.venue.value;
  useEffect(() => {
    if (seriesRef.current) levelsRef.current = drawLines(seriesRef.current, linesRef, venue, symbol);
  }, [venue, symbol]);

  const mine = venue?.positions.filter((p) => p.symbol === symbol).length ?? 0;
  const pending = venue?.orders.filter((o) => o.symbol === symbol).length ?? 0;
  return (
    <section aria-labelledby="chart-h" class="card flex h-full flex-col p-3 sm:p-4">
      <div class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="chart-h" class="text-base font-semibold tracking-tight">
          {symbol} <span class="font-normal text-muted">· {instrument?.name ?? ""} · 1 min</span>
        </h2>
        <p class="flex items-baseline gap-3 text-sm tabular-nums">
          <span>
            <span class="text-muted">Bid</span> <b data-quote="bid">{quote?.bid ?? "—"}</b>
          </span>
          <span>
            <span class="text-muted">Ask</span> <b data-quote="ask">{quote?.ask ?? "—"}</b>
          </span>
          <LiveMarker state={priceConnection.value} updatedAt={lastTickAt.value} now={now} />
        </p>
      </div>
      <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Lines on the chart">
        <LegendItem color={LINE_COLORS.buy} dash="">Entry (buy / sell), with volume</LegendItem>
        <LegendItem color={LINE_COLORS.sl} dash="4 3">Stop loss</LegendItem>
        <LegendItem color={LINE_COLORS.tp} dash="4 3">Take profit</LegendItem>
        <LegendItem color={LINE_COLORS.pending} dash="1.5 2.5">Pending order</LegendItem>
      </ul>
      <p class="sr-only">
        One-minute candles of {symbol}{" "}
        at the bid, hollow when the price rose and filled when it fell. Drawn on it: {mine}{" "}
        open position{mine === 1 ? "" : "s"} and {pending} pending order{pending === 1 ? "" : "s"}{" "}
        of this symbol, listed with their figures in the tables below.
      </p>
      {/* Not aria-hidden: the library's attribution link inside stays reachable (axe: aria-hidden-focus). */}
      <div
        ref={box}
        class="mt-2 h-72 w-full min-h-0 flex-1 sm:h-96 lg:h-auto"
        data-bars={bars}
        data-symbol={symbol}
      />
      {problem && <p class="mt-2 text-sm text-muted" role="status">{problem}</p>}
      <p class="mt-2 text-xs text-muted">
        Chart by{" "}
        <a class="link" href="https://www.tradingview.com/" rel="noopener">TradingView Lightweight Charts</a>
      </p>
    </section>
  );
}

/** Up and down candle colours of a scheme (hollow up candles, filled down ones). */
function candleColors(dark: boolean) {
  const up = dark ? "#34d399" : "#0e7a5f";
  const down = dark ? "#f97066" : "#b42318";
  return {
    upColor: "rgba(0,0,0,0)",
    borderUpColor: up,
    wickUpColor: up,
    downColor: down,
    borderDownColor: down,
    wickDownColor: down,
  };
}

function LegendItem(props: { color: string; dash: string; children: string }) {
  return (
    <li class="inline-flex items-center gap-1.5">
      <svg width="20" height="10" viewBox="0 0 20 10" aria-hidden="true" class="shrink-0">
        <path d="M1 5 H19" stroke={props.color} stroke-width="2" stroke-dasharray={props.dash || undefined} />
      </svg>
      {props.children}
    </li>
  );
}

/**
 * Redraws the account's lines on `symbol`: each position's entry, SL and TP (a connector's: its entry),
 * each pending order's price.
 * Returns the lines' prices, for the price scale to keep in view.
 */
function drawLines(
  series: ISeriesApi<"Candlestick">,
  lines: { current: IPriceLine[] },
  venue: VenueAccountJson | null,
  symbol: string,
): number[] {
  for (const line of lines.current) series.removePriceLine(line);
  lines.current = [];
  if (!venue) return [];
  // LineStyle values (Solid 0, Dotted 1, Dashed 2) inline: the enum lives in the lazily loaded module.
  const add = (price: string, color: string, lineStyle: 0 | 1 | 2, title: string) =>
    lines.current.push(
      series.createPriceLine({
        price: Number(price),
        color,
        lineStyle,
        lineWidth: 1,
        axisLabelVisible: true,
        title,
      }),
    );
  for (const p of venue.positions) {
    if (p.symbol !== symbol) continue;
    add(
      p.openPrice,
      LINE_COLORS[p.direction],
      0,
      `${p.direction === "buy" ? "Buy" : "Sell"} ${lots(p.volume)}`,
    );
    if (p.sl) add(p.sl, LINE_COLORS.sl, 2, "SL");
    if (p.tp) add(p.tp, LINE_COLORS.tp, 2, "TP");
  }
  // A connector's positions: their entry only (their SL/TP live on the platform), named as such.
  for (const p of venue.outsidePositions) {
    if (p.symbol !== symbol) continue;
    add(
      p.openPrice,
      LINE_COLORS[p.direction],
      0,
      `${p.direction === "buy" ? "Buy" : "Sell"} ${lots(p.volume)} · connector`,
    );
  }
  for (const o of venue.orders) {
    if (o.symbol !== symbol || o.price === null) continue;
    add(
      o.price,
      LINE_COLORS.pending,
      1,
      `${o.direction === "buy" ? "Buy" : "Sell"} ${o.type} ${lots(o.volume)}`,
    );
  }
  return lines.current.map((line) => line.options().price);
}
