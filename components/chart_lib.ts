/**
 * The parts of lightweight-charts the equity chart uses, named one by one so the bundler can leave the rest
 * out (a dynamic `import("lightweight-charts")` keeps the whole namespace: ~9 KB gzip more). The chart
 * island imports this module dynamically, on mount, so the library loads only where a chart is shown.
 */
export { createChart, LineSeries, LineStyle, LineType } from "lightweight-charts";
export type { UTCTimestamp } from "lightweight-charts";
