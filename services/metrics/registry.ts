/**
 * The process's metrics registry (prom-client). Metrics of the process itself — HTTP, sync, bus lag, and the
 * runtime's defaults — live here; metrics read from a `Deps` at scrape time (streams, pool, business figures)
 * live in a registry per `Deps` (see `mod.ts`), since tests open several apps in one process.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export const registry = new Registry();

let defaults = false;

/**
 * Starts the runtime's default metrics once per process (CPU, memory, heap, event-loop lag through
 * `monitorEventLoopDelay`, open handles): on the first scrape, so importing this module starts nothing.
 */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

/** `2xx`, `4xx`, …: statuses grouped so label values stay few. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
