/**
 * The parts of lightweight-charts the terminal's candlestick chart uses, named one by one so the bundler can
 * leave the rest out (as components/chart_lib.ts does for the equity chart). The chart island imports this
 * module dynamically, on mount, so the library loads only where the chart is shown.
 */
export { CandlestickSeries, createChart, LineStyle, TickMarkType } from "lightweight-charts";
export type { AutoscaleInfo, IPriceLine, ISeriesApi, UTCTimestamp } from "lightweight-charts";
