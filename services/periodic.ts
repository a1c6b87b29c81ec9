/**
 * Runs `task` now and then again `intervalMs` after each run ends, until the returned `stop` is called; `stop`
 * waits for a run in progress. Runs never overlap (the next is scheduled when one ends, so a slow database
 * delays the loop instead of stacking runs), and a failing run is logged and retried on the next.
 *
 * @example
 * const stop = startPeriodic(() => expireDueOrders(db), { intervalMs: 60_000, log: reportTo("orders") });
 * // … on shutdown:
 * await stop();
 */
export function startPeriodic(
  task: () => Promise<unknown>,
  opts: { intervalMs: number; log: (message: string, error?: unknown) => void; failure: string },
): () => Promise<void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  const tick = () => {
    running = task()
      .then(() => {}, (error) => opts.log(opts.failure, error))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
