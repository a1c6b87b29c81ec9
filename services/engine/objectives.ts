/**
 * The progress list of DESIGN §4 (`GET /api/challenges/:id/progress` and the simulator), read from an
 * evaluated state: figures as decimal strings, instants as ISO-8601 UTC. It reads the state as it is and does
 * not roll resets itself — the scheduler (live) or `simulate` (what-if) does that through `applyEvent`.
 */
import { fromMinor } from "../money.ts";
import { consistencyOf, profitTargetMet } from "./checks.ts";
import type { EngineRules } from "./rules.ts";
import type { AccountState } from "./state.ts";
import { isoAt } from "../time.ts";

export type ObjectiveStatus = "ok" | "met" | "pending" | "failed";

export type Objective =
  | { key: "profit_target"; status: ObjectiveStatus; target: string; current: string; targetBalance: string }
  | {
    key: "daily_loss";
    status: ObjectiveStatus;
    basis: "equity" | "balance";
    floor: string;
    anchor: string;
    current: string;
    resetsAt: string;
    pausedUntil: string | null;
  }
  | {
    key: "max_loss";
    status: ObjectiveStatus;
    mode: "static" | "trailing_intraday" | "trailing_eod";
    floor: string;
    current: string;
    lockLevel: string | null;
  }
  | { key: "min_trading_days"; status: ObjectiveStatus; required: number; current: number }
  | {
    key: "consistency";
    status: ObjectiveStatus;
    required: string;
    /** The best day's share of the total profit in %, to 2 places (half away from zero); null when no profit. */
    current: string | null;
    bestDay: string;
    totalProfit: string;
  }
  | { key: "time_limit"; status: ObjectiveStatus; required: number; current: number; endsAt: string };

const DAY_MS = 86_400_000;

/**
 * The objectives a stage sets, in a fixed order. Statuses: loss rules are `ok` or `failed` (a paused daily
 * loss is `pending` until its reset); pass objectives are `met` or `pending` (`met` once the phase passed);
 * the time limit is `ok`, `met` (passed in time) or `failed`.
 *
 * @param now for the elapsed-days figure of the time limit only.
 */
export function objectives(state: AccountState, rules: EngineRules, now: number | Date): Objective[] {
  const passed = state.status === "passed";
  const failedBy = state.breach?.rule ?? null;
  const pass = (met: boolean): ObjectiveStatus => (passed || met ? "met" : "pending");
  const list: Objective[] = [];

  if (rules.profitTarget !== null) {
    list.push({
      key: "profit_target",
      status: pass(profitTargetMet(state, rules)),
      target: fromMinor(rules.profitTarget),
      current: fromMinor(state.balance - state.initialBalance),
      targetBalance: fromMinor(state.initialBalance + rules.profitTarget),
    });
  }
  if (rules.dailyLoss && state.dailyFloor !== null && state.day.anchor !== null) {
    list.push({
      key: "daily_loss",
      // Only the daily-loss pause (it has an end) is this rule's; a pause by staff has none and is not.
      status: failedBy === "daily_loss"
        ? "failed"
        : state.status === "paused" && state.pausedUntil !== null
        ? "pending"
        : "ok",
      basis: rules.dailyLoss.on,
      floor: fromMinor(state.dailyFloor),
      anchor: fromMinor(state.day.anchor),
      current: fromMinor(rules.dailyLoss.on === "equity" ? state.equity : state.balance),
      resetsAt: isoAt(state.day.closesAt),
      pausedUntil: state.pausedUntil === null ? null : isoAt(state.pausedUntil),
    });
  }
  if (rules.maxLoss && state.maxFloor !== null) {
    list.push({
      key: "max_loss",
      status: failedBy === "max_loss" ? "failed" : "ok",
      mode: rules.maxLoss.mode,
      floor: fromMinor(state.maxFloor),
      current: fromMinor(state.equity),
      lockLevel: rules.maxLoss.mode === "static" || rules.maxLoss.lockLevel === null
        ? null
        : fromMinor(rules.maxLoss.lockLevel),
    });
  }
  if (rules.minTradingDays > 0) {
    list.push({
      key: "min_trading_days",
      status: pass(state.tradingDays.length >= rules.minTradingDays),
      required: rules.minTradingDays,
      current: state.tradingDays.length,
    });
  }
  if (rules.bestDayMaxPercent !== null) {
    const c = consistencyOf(state, rules.bestDayMaxPercent);
    list.push({
      key: "consistency",
      status: pass(c.holds),
      required: rules.bestDayMaxPercent,
      current: c.total > 0n ? shareOf(c.bestDay, c.total) : null,
      bestDay: fromMinor(c.bestDay),
      totalProfit: fromMinor(c.total),
    });
  }
  if (rules.timeLimitDays !== null && state.deadlineAt !== null) {
    const elapsed = Math.max(0, Math.floor((Math.min(+now, state.deadlineAt) - state.startedAt) / DAY_MS));
    list.push({
      key: "time_limit",
      status: failedBy === "time_limit" ? "failed" : passed ? "met" : "ok",
      required: rules.timeLimitDays,
      current: elapsed,
      endsAt: isoAt(state.deadlineAt),
    });
  }
  return list;
}

/** part / whole in percent with 2 decimals, half away from zero, e.g. 1250/2500 → "50.00". */
function shareOf(part: bigint, whole: bigint): string {
  const numerator = part * 10_000n; // percent × 100 (two decimals)
  const negative = numerator < 0n !== whole < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const w = whole < 0n ? -whole : whole;
  const hundredths = (2n * n + w) / (2n * w);
  return fromMinor(negative ? -hundredths : hundredths);
}
