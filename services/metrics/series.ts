/**
 * A latency histogram and a request counter of prom-client, resolved once for one set of labels, so that
 * recording an observation is a few additions rather than a label object, its validation and its hash
 * (prom-client does all three on every `observe` and `inc`, children from `labels()` included): about a
 * microsecond per request on the hot path of cached pages, where the whole answer costs a few dozen.
 *
 * prom-client keeps each series as a plain record in the metric's `hashMap` (pinned version 15.1.3:
 * `{labels, bucketValues, sum, count}` for a histogram, `{labels, value}` for a counter). The record is created
 * through the public API (`observe`/`inc` of zero), found by identity of its labels, and updated in place; the
 * scrape then reads it as prom-client's own. When the record is not where it was (a `reset()`) it is resolved
 * again; when the library does not keep records like this at all, the public API is used for every call.
 * services/metrics/series_test.ts checks the figures against the public API's.
 */
import type { Counter, Histogram } from "prom-client";

type Labels = Record<string, string>;

interface HistogramRecord {
  labels: Labels;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface CounterRecord {
  labels: Labels;
  value: number;
}

/** Where a record lives in its metric's map (the key is prom-client's, learnt, never built here). */
interface Slot<R> {
  key: string;
  record: R;
}

type MapHolder<R> = { hashMap?: Record<string, R> };

/** Duration and count of one series, the count split by status class. */
export interface Series {
  /** One answered request: its status (counted by class, `2xx`…) and how long it took. */
  observe(statusClass: string, seconds: number): void;
}

/**
 * The series of `labels` in `histogram` and, with a `status_class` label added, in `counter` (the
 * counter's labels must be the histogram's plus `status_class`).
 */
export function seriesOf(
  histogram: Histogram<string>,
  counter: Counter<string>,
  labels: Labels,
): Series {
  const bounds = (histogram as unknown as { upperBounds?: number[] }).upperBounds;
  const histogramMap = histogram as unknown as MapHolder<HistogramRecord>;
  const counterMap = counter as unknown as MapHolder<CounterRecord>;
  if (!Array.isArray(bounds) || !histogramMap.hashMap || !counterMap.hashMap) {
    return publicSeries(histogram, counter, labels);
  }

  let durationSlot: Slot<HistogramRecord> | null = null;
  const countSlots = new Map<string, Slot<CounterRecord>>();
  const resolveDuration = () =>
    durationSlot = resolve(histogramMap, labels, () => histogram.observe(labels, 0), (r) => {
      // The zero observation that created the record is taken back.
      r.count -= 1;
      r.bucketValues[String(bounds[0])] -= 1;
    });
  const resolveCount = (statusClass: string) => {
    const counted = { ...labels, status_class: statusClass };
    const slot = resolve(counterMap, counted, () => counter.inc(counted, 0), () => {});
    if (slot) countSlots.set(statusClass, slot);
    return slot;
  };

  return {
    observe(statusClass, seconds) {
      let d = durationSlot;
      if (!d || histogramMap.hashMap?.[d.key] !== d.record) d = resolveDuration();
      let c = countSlots.get(statusClass);
      if (!c || counterMap.hashMap?.[c.key] !== c.record) c = resolveCount(statusClass) ?? undefined;
      if (!d || !c) {
        publicSeries(histogram, counter, labels).observe(statusClass, seconds);
        return;
      }
      const record = d.record;
      record.sum += seconds;
      record.count += 1;
      // Cumulative buckets are summed at scrape time; here only the first bound that holds the value counts.
      for (let i = 0; i < bounds.length; i++) {
        if (seconds <= bounds[i]) {
          record.bucketValues[bounds[i]] += 1;
          break;
        }
      }
      c.record.value += 1;
    },
  };
}

/**
 * The record of `labels` in `metric`'s map, created by `create` (then `undo` takes its side effect back) if
 * missing; null when the map does not hold records of the expected shape.
 */
function resolve<R extends { labels: Labels }>(
  metric: MapHolder<R>,
  labels: Labels,
  create: () => void,
  undo: (record: R) => void,
): Slot<R> | null {
  let slot = find(metric, labels);
  if (!slot) {
    create();
    slot = find(metric, labels);
    if (slot) undo(slot.record);
  }
  return slot;
}

function find<R extends { labels: Labels }>(metric: MapHolder<R>, labels: Labels): Slot<R> | null {
  const map = metric.hashMap;
  if (!map) return null;
  for (const key of Object.keys(map)) {
    const record = map[key];
    if (record && sameLabels(record.labels, labels)) return { key, record };
  }
  return null;
}

function sameLabels(a: Labels | undefined, b: Labels): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((k) => a[k] === b[k]);
}

/** The same through prom-client's public API (a version that keeps its series differently). */
function publicSeries(histogram: Histogram<string>, counter: Counter<string>, labels: Labels): Series {
  return {
    observe(statusClass, seconds) {
      histogram.observe(labels, seconds);
      counter.inc({ ...labels, status_class: statusClass });
    },
  };
}
