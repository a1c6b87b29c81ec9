/**
 * What-if on an account's current state (the account page's panel): the engine's `applyEvent` run on a copy
 * of the persisted state with one hypothetical event, writing nothing. `simulate` replays a plan from its
 * start; these questions are about *now*, with today's anchor, high-water mark and open positions.
 *
 * - `lossToBreach`: the smallest further loss on open positions (an equity mark, balance unchanged) that the
 *   engine would judge a breach, found from the floors and confirmed by running the engine on both sides of
 *   it (one cent less must not breach).
 * - `closeAt`: the open positions closed now for a total result `pnl` (or, when flat, one trade with that
 *   result): status and floors right after, and at the next reset, when the daily floor re-anchors and an
 *   end-of-day trailing floor moves.
 */
import { fromMinor, fromMinorOrNull, toMinor } from "../money_format.ts";
import { applyEvents } from "../engine/evaluate.ts";
import type { EngineRules } from "../engine/rules.ts";
import {
  type AccountState,
  type BreachEvidence,
  type EngineEvent,
  isLive,
  type Verdict,
} from "../engine/state.ts";
import { isoAt } from "../time.ts";

export interface Floors {
  status: AccountState["status"];
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
}

export interface LossToBreach {
  /** The rule that would breach first, its floor, the equity that breaches and the loss from now. */
  rule: "daily_loss" | "max_loss";
  action: "fail" | "pause";
  floor: string;
  breachingEquity: string;
  loss: string;
  evidence: BreachEvidence;
}

export interface CloseAt {
  pnl: string;
  now: Floors;
  after: Floors;
  /** After the next reset (null when the close ends the account's evaluation: failed or passed). */
  atNextReset: (Floors & { at: string }) | null;
  verdicts: Verdict[];
}

function floorsOf(state: AccountState): Floors {
  return {
    status: state.status,
    balance: fromMinor(state.balance),
    equity: fromMinor(state.equity),
    dailyFloor: fromMinorOrNull(state.dailyFloor),
    maxFloor: fromMinorOrNull(state.maxFloor),
  };
}

/** The state at `now`: every reset due by then rolled, as the scheduler would have. */
function atNow(state: AccountState, rules: EngineRules, now: number): AccountState {
  const at = Math.max(now, state.lastEventAt);
  return applyEvents(state, [{ type: "reset", at }], rules).state;
}

/** A mark of `equity` (balance unchanged) at `at`, judged by the engine. */
function markAt(state: AccountState, rules: EngineRules, equity: bigint, at: number) {
  const event: EngineEvent = {
    type: "equity",
    equity: fromMinor(equity),
    balance: fromMinor(state.balance),
    at,
  };
  return applyEvents(state, [event], rules);
}

/**
 * The loss on open positions that breaches now, or null when the account is not live or has no floor an
 * equity mark can cross.
 */
export function lossToBreach(state: AccountState, rules: EngineRules, now: number): LossToBreach | null {
  const s = atNow(state, rules, now);
  if (!isLive(s.status)) return null;
  const at = s.lastEventAt;
  // Floors an equity mark is compared with: the max-loss floor, and the daily floor when it is on equity
  // and not already paused (a paused day is not judged again until the reset).
  const floors: bigint[] = [];
  if (s.maxFloor !== null) floors.push(s.maxFloor);
  if (rules.dailyLoss?.on === "equity" && s.dailyFloor !== null && s.status === "active") {
    floors.push(s.dailyFloor);
  }
  if (floors.length === 0) return null;
  const highest = floors.reduce((a, b) => (a > b ? a : b));
  const breaching = highest - 1n;
  const hit = markAt(s, rules, breaching, at);
  const held = markAt(s, rules, highest, at);
  const verdict = hit.verdicts.find((v) => v.type === "breach" || v.type === "paused");
  const heldBreach = held.verdicts.some((v) => v.type === "breach" || v.type === "paused");
  if (!verdict || heldBreach) {
    throw new Error(`the engine disagrees with the floors: ${fromMinor(highest)} (a rule changed shape?)`);
  }
  const evidence = (verdict as { evidence: BreachEvidence }).evidence;
  return {
    rule: evidence.rule as "daily_loss" | "max_loss",
    action: evidence.action,
    floor: evidence.floor!,
    breachingEquity: fromMinor(breaching),
    loss: fromMinor(s.equity - breaching),
    evidence,
  };
}

/** Closes everything now at a total result of `pnl` (decimal string) and reads the floors the engine sets. */
export function closeAt(state: AccountState, rules: EngineRules, now: number, pnl: string): CloseAt {
  const s = atNow(state, rules, now);
  const at = s.lastEventAt;
  const ids = Object.keys(s.positions).sort();
  const events: EngineEvent[] = ids.length === 0
    ? [
      {
        type: "trade_open",
        tradeId: "what-if",
        symbol: "WHATIF",
        direction: "buy",
        volume: "1",
        price: "1",
        at,
      },
      { type: "trade_close", tradeId: "what-if", price: "1", pnl, at },
    ]
    // The whole result on the first position, the others flat: the floors only see the total.
    : ids.map((tradeId, i) => ({
      type: "trade_close",
      tradeId,
      price: "1",
      pnl: i === 0 ? pnl : "0.00",
      at,
    }));
  const closed = applyEvents(s, events, rules);
  // Flat after the close: equity is the balance (the engine sets it once no position is left).
  const after = closed.state;
  let atNextReset: CloseAt["atNextReset"] = null;
  if (isLive(after.status)) {
    const reset = after.day.closesAt;
    const rolled = applyEvents(after, [{ type: "reset", at: reset }], rules);
    atNextReset = { ...floorsOf(rolled.state), at: isoAt(reset) };
  }
  return {
    pnl: fromMinor(toMinor(pnl)),
    now: floorsOf(s),
    after: floorsOf(after),
    atNextReset,
    verdicts: closed.verdicts,
  };
}
