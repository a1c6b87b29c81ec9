/**
 * Bus lag: every few seconds the process publishes a ping on a channel of its own and measures how long the
 * bus (Redis pub/sub, or in-process) takes to hand it back. The same clock sends and receives, so the figure
 * is free of clock skew between hosts; a bus that stops delivering shows as a growing ping age.
 */
import { Gauge, Histogram } from "prom-client";
import type { Bus } from "../bus/mod.ts";
import { registry } from "./registry.ts";
import { reportTo } from "../log.ts";

const lag = new Histogram({
  name: "proptrade_bus_lag_seconds",
  help: "Time from publishing a ping on the bus to receiving it back in the same process.",
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

let lastReceived: number | null = null;

new Gauge({
  name: "proptrade_bus_ping_age_seconds",
  help:
    "Seconds since this process last got one of its own bus pings back (since the probe started, before).",
  registers: [registry],
  collect() {
    this.reset();
    if (lastReceived !== null) this.set((performance.now() - lastReceived) / 1000);
  },
});

/** Pings `bus` every `intervalMs` until the returned function is called (it resolves once unsubscribed). */
export async function startBusLagProbe(
  bus: Bus,
  opts: { intervalMs?: number } = {},
): Promise<() => Promise<void>> {
  const log = reportTo("metrics", "warn");
  const channel = `metrics:ping:${crypto.randomUUID()}`;
  const unsubscribe = await bus.subscribe(channel, (message) => {
    const sentAt = (message as { sentAt?: unknown }).sentAt;
    if (typeof sentAt !== "number") return;
    lastReceived = performance.now();
    lag.observe((lastReceived - sentAt) / 1000);
  });
  const ping = () =>
    bus.publish(channel, { sentAt: performance.now() }).catch((e) => log("bus ping failed", e));
  // Until the first ping is back, the age counts from now: a bus that never delivers still shows.
  lastReceived ??= performance.now();
  const timer = setInterval(ping, opts.intervalMs ?? 5000);
  Deno.unrefTimer(timer);
  void ping();
  return async () => {
    clearInterval(timer);
    await unsubscribe();
  };
}
