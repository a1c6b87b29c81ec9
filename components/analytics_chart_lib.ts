/**
 * The parts of lightweight-charts the analytics charts use, named one by one so the bundler can leave the
 * rest out (as components/chart_lib.ts does for the equity chart). Imported dynamically by the island, so the
 * library loads only on the analytics page.
 */
export { createChart, HistogramSeries, LineSeries, LineStyle } from "lightweight-charts";
export type { UTCTimestamp } from "lightweight-charts";
