import assert from "node:assert/strict";
import { Counter, Histogram, Registry } from "prom-client";
import { seriesOf } from "./series.ts";

function metrics() {
  const registry = new Registry();
  const histogram = new Histogram({
    name: "t_duration_seconds",
    help: "h",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.01, 0.1, 1],
    registers: [registry],
  });
  const counter = new Counter({
    name: "t_requests_total",
    help: "c",
    labelNames: ["method", "route", "status_class"] as const,
    registers: [registry],
  });
  return { registry, histogram, counter };
}

const OBSERVED: [string, number][] = [["2xx", 0.0004], ["2xx", 0.001], ["3xx", 0.02], ["5xx", 3], [
  "2xx",
  0.5,
]];

Deno.test("metrics series: the resolved series scrapes exactly as the same observations through prom-client", async () => {
  const fast = metrics();
  const slow = metrics();
  const labels = { method: "GET", route: "(cached)" };
  const series = seriesOf(fast.histogram, fast.counter, labels);
  // Another series of the same metrics, observed the usual way, must be left alone.
  fast.histogram.observe({ method: "POST", route: "/x" }, 0.2);
  slow.histogram.observe({ method: "POST", route: "/x" }, 0.2);
  for (const [statusClass, seconds] of OBSERVED) {
    series.observe(statusClass, seconds);
    slow.histogram.observe(labels, seconds);
    slow.counter.inc({ ...labels, status_class: statusClass });
  }
  assert.equal(await fast.registry.metrics(), await slow.registry.metrics());
  assert.match(
    await fast.registry.metrics(),
    /t_duration_seconds_count\{method="GET",route="\(cached\)"\} 5/,
  );
});

Deno.test("metrics series: after a reset the series counts again from zero", async () => {
  const fast = metrics();
  const series = seriesOf(fast.histogram, fast.counter, { method: "GET", route: "/" });
  series.observe("2xx", 0.01);
  fast.registry.resetMetrics();
  series.observe("2xx", 0.01);
  const text = await fast.registry.metrics();
  assert.match(text, /t_duration_seconds_count\{method="GET",route="\/"\} 1/);
  assert.match(text, /t_requests_total\{method="GET",route="\/",status_class="2xx"\} 1/);
});
