/**
 * Sorting one demo-sync batch against an account's state (services/accounts/sync.ts has the contract): each
 * event applied, duplicate or late, and the fresh ones in the order they are applied.
 */
import type { AccountState } from "../engine/state.ts";
import { type SyncEvent, toEngineEvent } from "../engine/sync_events.ts";
import { isoAt } from "../time.ts";

/** What became of one request event. */
export interface EventResult {
  id: string;
  outcome: "applied" | "duplicate" | "late";
  /** Why a `late` event was not applied. */
  reason?: string;
}

/** A batch's per-event answers and their counts (part of the sync answer). */
export interface BatchOutcomes {
  /** Events applied by this batch. */
  accepted: number;
  /** Events already applied (earlier, or earlier in this batch). */
  duplicates: number;
  /** New events older than the account's last applied instant: not applied. */
  late: number;
  /** One per request event, in request order. */
  results: EventResult[];
}

/**
 * A batch against the account's state: the fresh events in `at` order, and every request event's outcome.
 * `unique` is `uniqueById(events)` when the caller has it already (one pass of the batch, not two).
 */
export function sortBatch(
  events: readonly SyncEvent[],
  seen: ReadonlySet<string>,
  state: AccountState,
  unique: readonly Unique[] = uniqueById(events),
) {
  const unseen = unique.filter((b) => !seen.has(b.event.id));
  const late = unseen.filter((b) => b.at < state.lastEventAt);
  const fresh = unseen.filter((b) => b.at >= state.lastEventAt).sort((a, b) =>
    a.at - b.at || a.index - b.index
  );
  return { fresh, outcomes: outcomesOf(events, fresh, late, state.lastEventAt) };
}

type Unique = ReturnType<typeof uniqueById>[number];

/** Each request event's outcome in request order, and the counts: anything neither applied nor late is a
 * duplicate (seen before, or repeated in this batch). */
function outcomesOf(
  events: readonly SyncEvent[],
  applied: readonly Unique[],
  late: readonly Unique[],
  lastEventAt: number,
): BatchOutcomes {
  const byIndex = new Map<number, EventResult>();
  for (const b of applied) byIndex.set(b.index, { id: b.event.id, outcome: "applied" });
  const reason = `older than the account's last applied instant ${isoAt(lastEventAt)}: ` +
    "rules are evaluated in time order, never backwards";
  for (const b of late) byIndex.set(b.index, { id: b.event.id, outcome: "late", reason });
  const results = events.map((e, i) => byIndex.get(i) ?? { id: e.id, outcome: "duplicate" as const });
  return {
    accepted: applied.length,
    duplicates: events.length - applied.length - late.length,
    late: late.length,
    results,
  };
}

/** Events keyed by their first occurrence, with their request index (for error fields) and engine form. */
export function uniqueById(events: readonly SyncEvent[]) {
  const seen = new Set<string>();
  const out: { index: number; event: SyncEvent; engine: ReturnType<typeof toEngineEvent>; at: number }[] = [];
  events.forEach((event, index) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    const engine = toEngineEvent(event);
    out.push({ index, event, engine, at: engine.at });
  });
  return out;
}
