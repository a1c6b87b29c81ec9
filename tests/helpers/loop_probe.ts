/**
 * Measures how long the event loop is held: a timer that should fire every `everyMs` records the longest
 * gap between two firings. A request that computes for 300 ms in one go shows as a ~300 ms gap; one that
 * yields between slices shows as roughly its slice length.
 */
export interface LoopProbe {
  /** Stops the timer and returns the longest gap seen, in ms. */
  stop(): number;
}

export function probeEventLoop(everyMs = 5): LoopProbe {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}

/**
 * Runs `work` while probing the loop and sending `concurrent` (e.g. `/healthz`) back to back, 10 ms apart,
 * until it is done: returns the longest loop gap and the slowest concurrent answer.
 */
export async function whileProbing<T>(
  work: () => Promise<T>,
  concurrent: () => Response | Promise<Response>,
): Promise<{ result: T; worstGapMs: number; slowestConcurrentMs: number; tookMs: number }> {
  const probe = probeEventLoop();
  const began = performance.now();
  let done = false;
  let slowest = 0;
  const running = work().finally(() => done = true);
  const others = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await concurrent();
      await res.body?.cancel();
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const result = await running;
  await others;
  return {
    result,
    worstGapMs: probe.stop(),
    slowestConcurrentMs: slowest,
    tookMs: performance.now() - began,
  };
}

/**
 * The longest loop gap a job that yields may show: `floorMs`, or a fifth of the job's whole duration when the
 * machine is so loaded that the job itself took long. Work done in one block shows a gap of (nearly) its
 * whole duration, so it fails either way; sliced work on a busy 2-core box gets room in proportion to how
 * slow everything is in that run instead of a fixed figure that flakes (DESIGN §5: ratios, not absolutes).
 */
export function stallBound(tookMs: number, floorMs = 150): number {
  return Math.max(floorMs, tookMs / 5);
}
