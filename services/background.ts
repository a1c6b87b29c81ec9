/**
 * Work a request starts and answers without waiting for: its duration must not show in the response time
 * (see `requestPasswordReset`, where it would tell who has an account), and its failure is the server's
 * to log, not the visitor's to see. In-process: a task cut short by a restart is lost, so only work whose
 * loss costs a retry belongs here, never anything that moves money.
 */
import { reportTo } from "./log.ts";

/** Where a failed task is reported (default: the process log). */
type TaskLogger = (message: string, error: unknown) => void;

/** More tasks than this at once and new ones are dropped (logged): a flood must not grow memory unbounded. */
const MAX_PENDING_TASKS = 1000;

export class BackgroundTasks {
  readonly #pending = new Set<Promise<void>>();
  readonly #log: TaskLogger;
  readonly #limit: number;

  constructor(options: { log?: TaskLogger; limit?: number } = {}) {
    this.#log = options.log ?? reportTo("background");
    this.#limit = options.limit ?? MAX_PENDING_TASKS;
  }

  /** How many tasks are running. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Starts `task` without waiting for it. It never rejects at the caller: a failure is logged with `label`.
   *
   * @example
   * deps.background.run("password reset mail", () => sendResetLink(deps, email));
   */
  run(label: string, task: () => Promise<void>): void {
    if (this.#pending.size >= this.#limit) {
      this.#log(`background task "${label}" dropped: ${this.#limit} already running`, null);
      return;
    }
    const running: Promise<void> = Promise.resolve()
      .then(task)
      .catch((error) => this.#log(`background task "${label}" failed:`, error))
      .finally(() => this.#pending.delete(running));
    this.#pending.add(running);
  }

  /** Resolves once every task started so far, and any they started, has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }
}
