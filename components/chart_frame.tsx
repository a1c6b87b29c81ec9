import type { ComponentChildren } from "preact";
import { formatMoney } from "./figures.ts";

/** The range buttons of a chart: how far back it shows (null: the account's whole life). */
export const RANGES = {
  "1d": { label: "1D", ms: 86_400_000 },
  "1w": { label: "1W", ms: 7 * 86_400_000 },
  "1m": { label: "1M", ms: 30 * 86_400_000 },
  all: { label: "All", ms: null },
} as const;
export type ChartRange = keyof typeof RANGES;

interface LegendItem {
  label: string;
  color: string;
  /** How the line is drawn, so the legend does not rely on colour alone. */
  style: "solid" | "steps" | "dashed" | "dotted" | "marker";
  value: string | null;
}

/** A legend sample of a line, in SVG (stroke attributes, not inline styles: the CSP forbids those). */
function Swatch(props: { color: string; style: LegendItem["style"] }) {
  const dash = { solid: undefined, steps: undefined, dashed: "4 3", dotted: "1.5 2.5", marker: undefined }[
    props.style
  ];
  return (
    <svg width="20" height="10" viewBox="0 0 20 10" aria-hidden="true" class="shrink-0">
      {props.style === "marker"
        ? <circle cx="10" cy="5" r="4" fill={props.color} />
        : props.style === "steps"
        ? <path d="M1 8 H8 V2 H19" stroke={props.color} stroke-width="2" fill="none" />
        : <path d="M1 5 H19" stroke={props.color} stroke-width="2" stroke-dasharray={dash} fill="none" />}
    </svg>
  );
}

/**
 * The frame around a chart (LOOK.md): title, live marker, range buttons, a legend naming each line with its
 * latest value, and a note when the history could not be read.
 */
export function ChartFrame(props: {
  title: string;
  range: ChartRange;
  onRange(range: ChartRange): void;
  marker: ComponentChildren;
  legend: LegendItem[];
  currency: string;
  problem: string | null;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby="chart-h" class="card p-4 sm:p-6">
      <div class="flex flex-wrap items-center justify-between gap-3">
        <div class="flex flex-wrap items-center gap-3">
          <h2 id="chart-h" class="text-lg font-semibold tracking-tight">{props.title}</h2>
          {props.marker}
        </div>
        <div role="group" aria-label="Time range" class="flex gap-1">
          {(Object.keys(RANGES) as ChartRange[]).map((r) => (
            <button
              key={r}
              type="button"
              class="size-chip px-3 py-1 text-xs"
              aria-pressed={props.range === r}
              aria-current={props.range === r ? "true" : undefined}
              onClick={() => props.onRange(r)}
            >
              {RANGES[r].label}
            </button>
          ))}
        </div>
      </div>
      <ul class="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        {props.legend.map((item) => (
          <li key={item.label} class="inline-flex items-center gap-1.5">
            <Swatch color={item.color} style={item.style} />
            {item.label}
            {item.value !== null && (
              <b class="font-semibold text-ink tabular-nums">{formatMoney(item.value, props.currency)}</b>
            )}
          </li>
        ))}
      </ul>
      <div class="mt-3">{props.children}</div>
      {props.problem && <p class="mt-2 text-sm text-muted" role="status">{props.problem}</p>}
      <p class="mt-2 text-xs text-muted">
        Chart by{" "}
        <a class="link" href="https://www.tradingview.com/" rel="noopener">TradingView Lightweight Charts</a>
      </p>
    </section>
  );
}
