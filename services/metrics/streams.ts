/**
 * Open SSE streams of this process by kind. Account and user streams are counted by their hubs; a kind added
 * later (the staff risk monitor) registers its own count with `countStreams`.
 */
import { Gauge, type Registry } from "prom-client";
import type { Bus } from "../bus/mod.ts";
import { openStreamCounts } from "../accounts/stream.ts";
import { openUserStreamCount } from "../live/user_stream.ts";

const extraKinds = new Map<string, (bus: Bus) => number>();

/** Adds a kind of stream to `proptrade_sse_streams` (e.g. `countStreams("monitor", (bus) => hub(bus).size)`). */
export function countStreams(kind: string, count: (bus: Bus) => number): void {
  extraKinds.set(kind, count);
}

/** The stream gauge of one process's bus, in `into`. */
export function streamMetrics(bus: Bus, into: Registry): void {
  new Gauge({
    name: "proptrade_sse_streams",
    help: "Open Server-Sent-Event streams in this process, by kind (account, user, …; all = every kind).",
    labelNames: ["kind"] as const,
    registers: [into],
    collect() {
      const { account, all } = openStreamCounts(bus);
      this.set({ kind: "account" }, account);
      this.set({ kind: "user" }, openUserStreamCount(bus));
      for (const [kind, count] of extraKinds) this.set({ kind }, count(bus));
      this.set({ kind: "all" }, all);
    },
  });
}
