/** Summary statistics shared by the benchmarks (bench/engine.ts, bench/sse.ts). */

/**
 * The `p`-th percentile (0–100) of ascending `sorted` samples by the nearest-rank rule (no interpolation:
 * every figure printed is a latency that was actually observed); NaN when there are no samples, so an empty
 * run prints as missing rather than throwing.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 3
 * percentile([], 99); // NaN
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}
