/**
 * The what-if simulator: replays events against a plan with the same `applyEvent` the live path uses, and
 * writes nothing. Resets are applied as explicit `reset` events so the timeline shows every floor change;
 * `applyEvent` would roll the same resets itself, so the result is identical to folding the raw events.
 *
 * Anyone signed in may simulate, so the work is bounded (`SIMULATION_LIMITS`: horizon and events; the
 * answer's timeline is downsampled by `timeline.ts`), and the request path runs it in time slices
 * (`simulateSliced`) so a maximal simulation never holds the event loop for long.
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
  isLive,
} from "./state.ts";
import { isoAt } from "../time.ts";
import { runSliced, runToEnd } from "../../lib/slices.ts";

const DAY_MS = 86_400_000;

/**
 * What one simulation may ask for. A what-if needs at most a year (the longest time limit a plan has is a
 * few months; a funded account's year of resets is the longest story worth replaying), and a year of trades
 * pasted in fits in the event count. Past these the work grows without telling the trader anything more.
 */
export const SIMULATION_LIMITS = {
  /** From `startAt` to the last event or `until`, whichever is later. */
  horizonDays: 366,
  events: 1_000,
} as const;
export interface TimelinePoint {
  at: string;
  equity: string;
  balance: string;
  dailyFloor: string | null;
  maxFloor: string | null;
  status: AccountStatus;
}

interface Simulation {
  status: AccountStatus;
  objectives: Objective[];
  breach: BreachEvidence | null;
  timeline: TimelinePoint[];
  /** The final state, for callers that compare or continue it. */
  state: AccountState;
  rules: EngineRules;
}

/**
 * Simulates phase `phaseIndex` (or `"funded"`) of `plan` from `startAt`, all at once (tests, pure callers).
 *
 * @param events applied in `at` order (stable for equal times); none may precede `startAt` or follow `until`.
 * @param until advances time with no events: resets up to it are applied (a floating loss can still breach).
 * @throws RangeError for an event outside [startAt, until], or input past `SIMULATION_LIMITS`.
 */
export function simulate(
  plan: PlanDefinition,
  phaseIndex: number | "funded",
  startAt: number | Date,
  events: readonly EngineEvent[],
  until?: number | Date,
): Simulation {
  return runToEnd(simulationSteps(plan, phaseIndex, startAt, events, until));
}

/** `simulate` for the request path: the same steps, giving the event loop back between time slices. */
export function simulateSliced(
  plan: PlanDefinition,
  phaseIndex: number | "funded",
  startAt: number | Date,
  events: readonly EngineEvent[],
  until?: number | Date,
): Promise<Simulation> {
  return runSliced(simulationSteps(plan, phaseIndex, startAt, events, until));
}

/** The simulation as a generator that yields after each event or reset (see lib/slices.ts). */
function* simulationSteps(
  plan: PlanDefinition,
  phaseIndex: number | "funded",
  startAt: number | Date,
  events: readonly EngineEvent[],
  until?: number | Date,
): Generator<void, Simulation> {
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
  checkLimits(start, sorted, end);

  let state = initialState(rules, start);
  const timeline: TimelinePoint[] = [point(start, state)];
  function* advanceTo(t: number) {
    while (isLive(state.status) && state.day.closesAt <= t) {
      const at = state.day.closesAt;
      state = applyEvent(state, { type: "reset", at }, rules).state;
      timeline.push(point(at, state));
      yield;
    }
  }
  for (const event of sorted) {
    yield* advanceTo(event.at);
    state = applyEvent(state, event, rules).state;
    if (event.type !== "reset") timeline.push(point(event.at, state));
    yield;
  }
  if (end !== undefined) yield* advanceTo(end);

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

/** Refuses input past `SIMULATION_LIMITS` (the route names the fields; this guards every other caller). */
function checkLimits(start: number, sorted: readonly EngineEvent[], end: number | undefined): void {
  const { events, horizonDays } = SIMULATION_LIMITS;
  if (sorted.length > events) throw new RangeError(`at most ${events} events`);
  const last = Math.max(end ?? start, sorted.at(-1)?.at ?? start);
  if (last - start > horizonDays * DAY_MS) {
    throw new RangeError(`at most ${horizonDays} days from startAt to the last event or until`);
  }
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
