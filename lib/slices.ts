/**
 * Long synchronous work written once as a generator and run either to the end at once (pure callers, tests)
 * or in time slices that give the event loop back between them (request handlers: DESIGN §5, no request
 * holds the loop longer than ~50 ms).
 *
 * The generator `yield`s at every point where it may be paused (e.g. after each engine event); it returns
 * its result. Slicing by measured time rather than by a step count keeps the stall bounded whatever one
 * step costs.
 *
 * Why not a worker: the engine's work is a fold over state inside the caller's database transaction (the
 * account row is locked); moving it to a worker would copy the state both ways and split one transaction
 * across threads, for work that caps keep to a few hundred milliseconds of CPU. Slices give other requests
 * their turn at a cost of one timer tick per slice.
 */

/** Work per slice before the loop is given back (well under the ~50 ms budget, timers included). */
const SLICE_MS = 20;

/** Runs `steps` to the end synchronously and returns its result. */
export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs `steps`, giving the event loop back whenever a slice of `sliceMs` is used up. A macrotask
 * (`setTimeout`) is what lets pending I/O in: `setImmediate` or a microtask would run before the sockets
 * are polled, so other requests would still wait.
 *
 * `opts.yieldNow`: while it answers true (work that must not wait is in flight — the venue's orders), the
 * loop is given back at every pause point of `steps`, not only at the end of a slice.
 */
export async function runSliced<T>(
  steps: Generator<unknown, T>,
  sliceMs = SLICE_MS,
  opts: { yieldNow?: () => boolean } = {},
): Promise<T> {
  let sliceEnd = performance.now() + sliceMs;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() >= sliceEnd || opts.yieldNow?.()) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceEnd = performance.now() + sliceMs;
    }
  }
}
