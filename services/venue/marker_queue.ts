/**
 * The marker's jobs (services/venue/marker.ts) and the queue that runs them one at a time: a tick batch waits
 * for the previous job's writes, so every evaluation sees the state the previous one wrote; a long flush is
 * split into chunk jobs with the ticks that arrive meanwhile in between (services/venue/marker_writes.ts).
 */
import { log } from "../log.ts";
import type { Tick } from "./price_book.ts";

export type Job =
  | { kind: "ticks"; ticks: readonly Tick[] }
  | { kind: "flush"; ids: string[] | null; started: number }
  | { kind: "reload"; ids: string[] | null };

export type FlushJob = Extract<Job, { kind: "flush" }>;

/** Runs each job enqueued with `run`, in order, one at a time; a failed job is logged and the next one runs. */
export class JobQueue {
  #queue: Job[] = [];
  #running: Promise<void> | null = null;

  constructor(private readonly run: (job: Job) => Promise<void>) {}

  enqueue(job: Job): void {
    this.#queue.push(job);
    if (!this.#running) {
      this.#running = this.#drain().finally(() => {
        this.#running = null;
      });
    }
  }

  /** Resolves once every queued job is done. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      try {
        await this.run(job);
      } catch (error) {
        log.error("venue marker job failed", { scope: "venue", error });
      }
    }
  }
}
