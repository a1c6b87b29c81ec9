/**
 * Downsampling a simulation's timeline for the answer: a year of events and resets is more points than a
 * chart can show, and the answer must stay small. Nothing that tells the story is dropped: the first and
 * last points, every status change (a breach, a pause, a resume, a pass), the lowest and highest equity;
 * the rest of the budget goes to the lowest and highest equity of equal slices of the timeline, which keeps
 * the shape of the curve (min–max decimation). The answer says it was downsampled and from how many points.
 */
import { toMinor } from "../money.ts";
import type { TimelinePoint } from "./simulate.ts";

/** Points a simulation answer carries at most. */
export const MAX_TIMELINE_POINTS = 500;

interface Downsampled {
  timeline: TimelinePoint[];
  /** null when the timeline is whole; otherwise how many points it had and how many are kept. */
  downsampled: { from: number; to: number } | null;
}

/** The timeline itself when it fits in `max` points, else at most `max` points chosen as described above. */
export function downsampleTimeline(points: readonly TimelinePoint[], max = MAX_TIMELINE_POINTS): Downsampled {
  if (max < 5) throw new RangeError("a timeline keeps at least 5 points");
  if (points.length <= max) return { timeline: [...points], downsampled: null };
  const equity = points.map((p) => toMinor(p.equity));
  const last = points.length - 1;
  const keep = new Set<number>([0, last, extreme(equity, 1, last, -1), extreme(equity, 1, last, 1)]);
  const changes: number[] = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i].status !== points[i - 1].status) changes.push(i);
  }
  // A plan that pauses every day changes status twice a day; should that ever outgrow the budget, the
  // final changes (fail, pass) stay and the rest compete like any other point.
  const room = max - keep.size;
  for (const i of changes.length <= room ? changes : changes.filter((i) => isFinal(points[i]))) keep.add(i);

  const buckets = Math.floor((max - keep.size) / 2);
  if (buckets > 0) {
    const size = (last - 1) / buckets;
    for (let b = 0; b < buckets; b++) {
      const from = 1 + Math.floor(b * size);
      const to = 1 + Math.floor((b + 1) * size);
      if (from >= to) continue;
      keep.add(extreme(equity, from, to, -1));
      keep.add(extreme(equity, from, to, 1));
    }
  }
  // At most 4 fixed points + the changes that fit + two per bucket, so never more than `max`.
  const timeline = [...keep].sort((a, b) => a - b).map((i) => points[i]);
  return { timeline, downsampled: { from: points.length, to: timeline.length } };
}

/** Index of the lowest (`sign` −1) or highest (+1) value in `values[from, to)`, the first one on a tie. */
function extreme(values: readonly bigint[], from: number, to: number, sign: -1 | 1): number {
  let best = from;
  for (let i = from + 1; i < to; i++) {
    if (sign < 0 ? values[i] < values[best] : values[i] > values[best]) best = i;
  }
  return best;
}

const isFinal = (p: TimelinePoint) => p.status === "failed" || p.status === "passed";
