/**
 * The what-if simulator: replays events against a plan with the same `applyEvent` the live path uses, and
 * writes nothing. Resets are applied as explicit `reset` events so the timeline shows every floor change;
 * `applyEvent` would roll the same resets itself, so the result is identical to folding the raw events.
 */
import { fromMinor, fromMinorOrNull } from "../money.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { applyEvent } from "./evaluate.ts";
import { type Objective, objectives } from "./objectives.ts";
import { compileRules, type EngineRules } from "./rules.ts";
import {
  type AccountState,
  type AccountStatus,
  type BreachEvidence,
  type EngineEvent,
  initialState,
} from "./state.ts";
import { isoAt } from "../time.ts";

export interface TimelinePoint {
  at: string;
  equity: string;
  balance: string;
  dailyFloor: string | null;
  maxFloor: string | null;
  status: AccountStatus;
}

export interface Simulation {
  status: AccountStatus;
  objectives: Objective[];
  breach: BreachEvidence | null;
  timeline: TimelinePoint[];
  /** The final state, for callers that compare or continue it. */
  state: AccountState;
  rules: EngineRules;
}

/**
 * Simulates phase `phaseIndex` (or `"funded"`) of `plan` from `startAt`.
 *
 * @param events applied in `at` order (stable for equal times); none may precede `startAt` or follow `until`.
 * @param until advances time with no events: resets up to it are applied (a floating loss can still breach).
 * @throws RangeError for an event outside [startAt, until].
 */
export function simulate(
  plan: PlanDefinition,
  phaseIndex: number | "funded",
  startAt: number | Date,
  events: readonly EngineEvent[],
  until?: number | Date,
): Simulation {
  const rules = compileRules(plan, phaseIndex);
  const start = +startAt;
  const end = until === undefined ? undefined : +until;
  const sorted = events.map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at || a.i - b.i)
    .map(({ event }) => event);
  for (const event of sorted) {
    if (event.at < start) {
      throw new RangeError(`event at ${isoAt(event.at)} is before startAt ${isoAt(start)}`);
    }
    if (end !== undefined && event.at > end) {
      throw new RangeError(`event at ${isoAt(event.at)} is after until ${isoAt(end)}`);
    }
  }

  let state = initialState(rules, start);
  const timeline: TimelinePoint[] = [point(start, state)];
  const advanceTo = (t: number) => {
    while ((state.status === "active" || state.status === "paused") && state.day.closesAt <= t) {
      const at = state.day.closesAt;
      state = applyEvent(state, { type: "reset", at }, rules).state;
      timeline.push(point(at, state));
    }
  };
  for (const event of sorted) {
    advanceTo(event.at);
    state = applyEvent(state, event, rules).state;
    if (event.type !== "reset") timeline.push(point(event.at, state));
  }
  if (end !== undefined) advanceTo(end);

  const now = end ?? Math.max(start, state.lastEventAt);
  return {
    status: state.status,
    objectives: objectives(state, rules, now),
    breach: state.breach,
    timeline,
    state,
    rules,
  };
}

function point(at: number, state: AccountState): TimelinePoint {
  return {
    at: isoAt(at),
    equity: fromMinor(state.equity),
    balance: fromMinor(state.balance),
    dailyFloor: fromMinorOrNull(state.dailyFloor),
    maxFloor: fromMinorOrNull(state.maxFloor),
    status: state.status,
  };
}
