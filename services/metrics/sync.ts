/**
 * The demo-sync path (services/accounts/sync.ts `applySync`): events per second by outcome, the time a batch
 * takes (validation, evaluation and its transaction), and the breaches it caused, counted once committed.
 */
import { Counter, Histogram } from "prom-client";
import { registry } from "./registry.ts";

const events = new Counter({
  name: "proptrade_sync_events_total",
  help: "Sync events handled, by outcome (applied, duplicate, late).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

const batchSeconds = new Histogram({
  name: "proptrade_sync_batch_duration_seconds",
  help: "Time to apply one sync batch: evaluation and its transaction, until committed.",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

const breaches = new Counter({
  name: "proptrade_sync_breaches_total",
  help: "Breaches and pauses caused by sync batches in this process, by rule and action.",
  labelNames: ["rule", "action"] as const,
  registers: [registry],
});

/** Records a committed batch; `startedAt` is `performance.now()` when it began. */
export function recordSync(
  result: {
    accepted: number;
    duplicates: number;
    late: number;
    breaches: readonly { rule: string; action: string }[];
  },
  startedAt: number,
): void {
  batchSeconds.observe((performance.now() - startedAt) / 1000);
  if (result.accepted) events.inc({ outcome: "applied" }, result.accepted);
  if (result.duplicates) events.inc({ outcome: "duplicate" }, result.duplicates);
  if (result.late) events.inc({ outcome: "late" }, result.late);
  for (const b of result.breaches) breaches.inc({ rule: b.rule, action: b.action });
}
