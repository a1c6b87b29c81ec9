/**
 * The one evaluation core (DESIGN §3): state + event → new state + verdicts. The live path (sync, scheduler
 * resets) and the what-if simulator both call `applyEvent`; no rule is written anywhere else.
 *
 * Order of evaluation for an event at `t`:
 * 1. every reset at or before `t` that has not been applied is rolled, oldest first, each one evaluated on
 *    its own (a losing open position can breach right after a reset, with no new trade: the evidence then
 *    names the reset as the cause);
 * 2. the event updates balance, equity and positions (a withdrawal or its reversal also moves the anchors,
 *    floors and high-water marks with the money: ledger.ts);
 * 3. hard rules before soft ones: daily loss with `fail`, then max loss, then daily loss with `pause`;
 * 4. if nothing breached, the pass objectives are checked.
 *
 * `failed` and `passed` are final: later events still update the mirrored balance, equity and positions, but
 * nothing is evaluated and no reset is rolled.
 */
import { Conflict } from "../../lib/errors.ts";
import { fromMinor, toMinor } from "../money.ts";
import { canonicalJson, sha256HexSync } from "./canonical.ts";
import { metObjectives, passes } from "./checks.ts";
import { shiftLedger } from "./ledger.ts";
import { max, maxLossAnchor, trail } from "./max_loss.ts";
import type { EngineRules } from "./rules.ts";
import {
  type AccountState,
  type BreachEvidence,
  dailyFloorOf,
  type EngineEvent,
  eventToJson,
  isLive,
  openDay,
  type OpenPosition,
  positionsToJson,
  stateToJson,
  type Verdict,
} from "./state.ts";
import { isoAt } from "../time.ts";

interface Applied {
  state: AccountState;
  verdicts: Verdict[];
}

/**
 * Applies one event (or a synthetic `reset` tick) to a state and returns the new state and what happened.
 * Pure and synchronous: the input state is not modified.
 *
 * A `reset` event means "time is now `at`": it rolls every reset due by then, and is a no-op (same state
 * object, no verdicts) when none is, so a scheduler may fire late or twice.
 *
 * @throws Conflict when `event.at` is before the last applied instant (the event belongs to a trading day
 *   that has already been evaluated); Error when `rules` is not the version the state was built for.
 *
 * @example
 * const rules = compileRules(plan, 0);
 * let state = initialState(rules, Date.parse("2026-06-01T08:00:00Z"));
 * ({ state } = applyEvent(state, { type: "equity", equity: "94999.99", balance: "100000.00", at }, rules));
 * state.status; // "failed" (FTMO-style 5 % daily loss on equity)
 */
export function applyEvent(state: AccountState, event: EngineEvent, rules: EngineRules): Applied {
  if (state.rulesVersion !== rules.version) {
    throw new Error(`the state was evaluated under rules ${state.rulesVersion}, not ${rules.version}`);
  }
  if (!Number.isFinite(event.at)) throw new RangeError(`event time is not a number: ${event.at}`);
  if (event.at < state.lastEventAt) {
    throw new Conflict(
      `event at ${isoAt(event.at)} is older than the last applied instant ${isoAt(state.lastEventAt)}`,
    );
  }
  let current = state;
  const verdicts: Verdict[] = [];
  while (isLive(current.status) && current.day.closesAt <= event.at) {
    const rolled = rollOver(current, rules);
    current = rolled.state;
    verdicts.push(...rolled.verdicts);
  }
  if (event.type === "reset") return { state: current, verdicts };
  const applied = applyMarketEvent(current, event, rules);
  verdicts.push(...applied.verdicts);
  return { state: applied.state, verdicts };
}

/** Folds `applyEvent` over events (in the given order), collecting the verdicts. */
export function applyEvents(
  state: AccountState,
  events: readonly EngineEvent[],
  rules: EngineRules,
): Applied {
  const verdicts: Verdict[] = [];
  for (const event of events) {
    const applied = applyEvent(state, event, rules);
    state = applied.state;
    verdicts.push(...applied.verdicts);
  }
  return { state, verdicts };
}

/** Rolls the reset that closes the current trading day. */
function rollOver(prior: AccountState, rules: EngineRules): Applied {
  const at = prior.day.closesAt;
  const cause: EngineEvent = { type: "reset", at };
  const next: AccountState = { ...prior, version: prior.version + 1, lastEventAt: at };
  next.highestEodBalance = max(prior.highestEodBalance, prior.balance);
  next.day = openDay(at, prior.balance, prior.equity, rules);
  next.dailyFloor = dailyFloorOf(rules, next.day);
  if (rules.maxLoss?.mode === "trailing_eod") {
    next.maxFloor = trail(next.maxFloor, rules.maxLoss, max(next.highestEodBalance, next.initialBalance));
  }
  const verdicts: Verdict[] = [];
  if (next.status === "paused" && next.pausedUntil !== null && next.pausedUntil <= at) {
    next.status = "active";
    next.pausedUntil = null;
    verdicts.push({ type: "resumed", at: isoAt(at) });
  }
  if (next.deadlineAt !== null && at >= next.deadlineAt) {
    // The phase ran out of time without passing (a pass is final, so it cannot be live here).
    fail(
      next,
      verdicts,
      {
        rule: "time_limit",
        action: "fail",
        basis: "time",
        floor: null,
        observed: fromMinor(next.balance),
        anchor: null,
        deadline: isoAt(next.deadlineAt),
      },
      prior,
      cause,
      rules,
    );
    return { state: next, verdicts };
  }
  evaluate(next, prior, cause, rules, verdicts);
  return { state: next, verdicts };
}

function applyMarketEvent(
  prior: AccountState,
  event: Exclude<EngineEvent, { type: "reset" }>,
  rules: EngineRules,
) {
  const next: AccountState = { ...prior, version: prior.version + 1, lastEventAt: event.at };
  if (event.type === "trade_open") {
    const position: OpenPosition = {
      tradeId: event.tradeId,
      symbol: event.symbol,
      direction: event.direction,
      volume: event.volume,
      price: event.price,
      openedAt: event.at,
    };
    next.positions = { ...prior.positions, [event.tradeId]: position };
    // A trade opened while paused slipped past the venue's block: it does not earn a trading day.
    if (next.status === "active" && next.tradingDays.at(-1) !== next.day.key) {
      next.tradingDays = [...next.tradingDays, next.day.key];
    }
  } else if (event.type === "trade_close") {
    const { [event.tradeId]: _closed, ...rest } = prior.positions;
    next.positions = rest;
    next.balance = prior.balance + toMinor(event.pnl);
    // Flat: equity is the balance. With other positions still open, the closed one's unrealized P&L has just
    // become realized, so equity is unchanged until the next snapshot.
    if (Object.keys(rest).length === 0) next.equity = next.balance;
  } else if (event.type === "equity") {
    next.equity = toMinor(event.equity);
    next.balance = toMinor(event.balance);
  } else {
    shiftLedger(next, event, rules); // a withdrawal or its reversal: not a profit or a loss
  }
  const verdicts: Verdict[] = [];
  if (event.type === "withdrawal" || event.type === "withdrawal_reversal") {
    const type = event.type === "withdrawal" ? "withdrawal" : "withdrawal_reversed";
    verdicts.push({ type, payoutId: event.payoutId, amount: event.amount, at: isoAt(event.at) });
  }
  if (!isLive(next.status)) return { state: next, verdicts };

  // A withdrawal moves the day's starting balance with the balance (ledger.ts), so the day's P&L is what it
  // was: recording it would add a 0.00 day that its reversal cannot take back.
  if (next.balance !== prior.balance && event.type !== "withdrawal" && event.type !== "withdrawal_reversal") {
    next.dailyPnl = { ...prior.dailyPnl, [next.day.key]: next.balance - next.day.sodBalance };
  }
  if (next.equity > next.highestEquity) {
    next.highestEquity = next.equity;
    if (rules.maxLoss?.mode === "trailing_intraday") {
      next.maxFloor = trail(next.maxFloor, rules.maxLoss, next.highestEquity);
    }
  }
  evaluate(next, prior, event, rules, verdicts);
  return { state: next, verdicts };
}

/** Breaches first (hard before soft), then the pass objectives. Mutates `next`, which is a fresh copy. */
function evaluate(
  next: AccountState,
  prior: AccountState,
  cause: EngineEvent,
  rules: EngineRules,
  verdicts: Verdict[],
): void {
  const daily = rules.dailyLoss;
  const dailyValue = daily?.on === "balance" ? next.balance : next.equity;
  const dailyHit = daily !== null && next.status === "active" && next.dailyFloor !== null &&
    dailyValue < next.dailyFloor;
  const maxHit = rules.maxLoss !== null && next.maxFloor !== null && next.equity < next.maxFloor;
  const dailyFacts = () => ({
    rule: "daily_loss" as const,
    action: daily!.action,
    basis: daily!.on,
    floor: fromMinor(next.dailyFloor!),
    observed: fromMinor(dailyValue),
    anchor: { kind: daily!.anchor, value: fromMinor(next.day.anchor!) },
    deadline: null,
  });

  if (dailyHit && daily.action === "fail") return fail(next, verdicts, dailyFacts(), prior, cause, rules);
  if (maxHit) {
    return fail(
      next,
      verdicts,
      {
        rule: "max_loss",
        action: "fail",
        basis: "equity",
        floor: fromMinor(next.maxFloor!),
        observed: fromMinor(next.equity),
        anchor: { kind: rules.maxLoss!.mode, value: fromMinor(maxLossAnchor(next, rules.maxLoss!)) },
        deadline: null,
      },
      prior,
      cause,
      rules,
    );
  }
  if (dailyHit) {
    // Soft breach: the live path closes the positions; trading resumes at the next reset.
    next.status = "paused";
    next.pausedUntil = next.day.closesAt;
    verdicts.push({
      type: "paused",
      until: isoAt(next.day.closesAt),
      evidence: evidenceOf(dailyFacts(), next, prior, cause, rules),
    });
  }

  const met = metObjectives(next, rules);
  for (const key of met) {
    if (!next.met.includes(key)) verdicts.push({ type: "objective_met", key, at: isoAt(cause.at) });
  }
  if (met.length !== next.met.length || met.some((k, i) => next.met[i] !== k)) next.met = met;
  if (next.status === "active" && passes(met, rules)) {
    next.status = "passed";
    verdicts.push({ type: "passed", at: isoAt(cause.at) });
  }
}

type Facts = Pick<BreachEvidence, "rule" | "action" | "basis" | "floor" | "observed" | "anchor" | "deadline">;

function fail(
  next: AccountState,
  verdicts: Verdict[],
  facts: Facts,
  prior: AccountState,
  cause: EngineEvent,
  rules: EngineRules,
): void {
  const evidence = evidenceOf(facts, next, prior, cause, rules);
  next.status = "failed";
  next.pausedUntil = null;
  next.breach = evidence;
  verdicts.push({ type: "breach", evidence });
}

/**
 * Evidence names the inputs that produced the verdict — the rule version, the state just before the cause and
 * the cause — and hashes them canonically, so `applyEvent(prior, cause, rules)` can be replayed and checked.
 */
function evidenceOf(
  facts: Facts,
  next: AccountState,
  prior: AccountState,
  cause: EngineEvent,
  rules: EngineRules,
): BreachEvidence {
  const inputs = { ruleVersion: rules.version, state: stateToJson(prior), event: eventToJson(cause) };
  return {
    ...facts,
    ruleVersion: rules.version,
    at: isoAt(cause.at),
    tradingDay: next.day.key,
    cause: eventToJson(cause),
    openPositions: positionsToJson(next.positions),
    inputsHash: sha256HexSync(canonicalJson(inputs)),
  };
}
