import { useEffect, useRef, useState } from "preact/hooks";
import { chartTheme, onSchemeChange, themeOptions } from "../components/chart_theme.ts";
import { formatMoney } from "../components/figures.ts";
import type { UTCTimestamp } from "../components/analytics_chart_lib.ts";
import { periodLabel } from "../services/analytics/periods.ts";

/** One drawn series: a value per period (null: nothing to draw there, e.g. a pass rate with no ended phase). */
export interface ChartSeries {
  label: string;
  color: string;
  /** How it is drawn, so the legend does not rely on colour alone. */
  kind: "bars" | "solid" | "dashed" | "dotted";
  values: (string | null)[];
}

/**
 * One analytics chart over the page's periods (TradingView lightweight-charts, loaded on mount): bars and
 * lines per series, periods labelled in UTC as the figures are. Values arrive as decimal strings and become
 * numbers only for plotting; the tables under the charts carry the exact figures.
 */
export default function AnalyticsChart(props: {
  id: string;
  title: string;
  /** Period starts, epoch seconds (UTC). */
  times: number[];
  granularity: "day" | "week" | "month";
  format: "money" | "count" | "percent";
  currency: string;
  series: ChartSeries[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      try {
        const lib = await import("../components/analytics_chart_lib.ts");
        if (disposed || !box.current) return;
        const theme = chartTheme();
        const colours = themeOptions(theme, { vertLines: false });
        const label = periodLabel(props.granularity);
        const chart = lib.createChart(box.current, {
          autoSize: true,
          ...colours,
          layout: {
            ...colours.layout,
            background: { color: "transparent" },
            // The logo injects an inline <style> the CSP refuses; the page credits TradingView in text.
            attributionLogo: false,
          },
          rightPriceScale: { borderVisible: false },
          timeScale: {
            borderVisible: false,
            fixLeftEdge: true,
            fixRightEdge: true,
            tickMarkFormatter: (t: number) => label(t),
          },
          handleScroll: false,
          handleScale: false,
          localization: {
            timeFormatter: (t: number) => label(t),
            priceFormatter: (v: number) => formatValue(v, props.format, props.currency),
          },
        });
        for (const s of props.series) {
          const data = props.times.map((t, i) => {
            const time = t as UTCTimestamp;
            const v = s.values[i];
            return v === null
              ? { time }
              : { time, value: Number(v) * (props.format === "percent" ? 100 : 1) };
          });
          const series = s.kind === "bars"
            ? chart.addSeries(lib.HistogramSeries, { color: s.color, priceLineVisible: false })
            : chart.addSeries(lib.LineSeries, {
              color: s.color,
              lineWidth: 2,
              lineStyle: s.kind === "dashed"
                ? lib.LineStyle.Dashed
                : s.kind === "dotted"
                ? lib.LineStyle.Dotted
                : lib.LineStyle.Solid,
              pointMarkersVisible: props.times.length <= 40,
              priceLineVisible: false,
            });
          series.setData(data);
        }
        chart.timeScale().fitContent();
        const unfollow = onSchemeChange((next) =>
          chart.applyOptions(themeOptions(next, { vertLines: false }))
        );
        cleanup = () => {
          unfollow();
          chart.remove();
        };
      } catch {
        setProblem("The chart could not be drawn; the table below has every figure.");
      }
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, []);

  return (
    <div>
      <ul class="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label={`${props.title}: legend`}>
        {props.series.map((s) => (
          <li key={s.label} class="inline-flex items-center gap-1.5">
            <Swatch color={s.color} kind={s.kind} />
            {s.label}
          </li>
        ))}
      </ul>
      <div ref={box} id={props.id} class="mt-2 h-56 w-full sm:h-64" />
      {problem && <p class="mt-2 text-sm text-muted" role="status">{problem}</p>}
    </div>
  );
}

/** A legend sample in SVG (attributes, not inline styles: the CSP forbids those). */
function Swatch(props: { color: string; kind: ChartSeries["kind"] }) {
  if (props.kind === "bars") {
    return (
      <svg width="12" height="10" viewBox="0 0 12 10" aria-hidden="true" class="shrink-0">
        <rect x="1" y="1" width="10" height="9" fill={props.color} />
      </svg>
    );
  }
  const dash = { solid: undefined, dashed: "4 3", dotted: "1.5 2.5" }[props.kind];
  return (
    <svg width="20" height="10" viewBox="0 0 20 10" aria-hidden="true" class="shrink-0">
      <path d="M1 5 H19" stroke={props.color} stroke-width="2" stroke-dasharray={dash} fill="none" />
    </svg>
  );
}

function formatValue(v: number, format: "money" | "count" | "percent", currency: string): string {
  if (format === "percent") return `${v.toFixed(0)} %`;
  if (format === "count") return Number.isInteger(v) ? String(v) : v.toFixed(1);
  const fixed = Math.abs(v).toFixed(2);
  return `${v < 0 ? "\u2212" : ""}${formatMoney(fixed, currency)}`;
}
