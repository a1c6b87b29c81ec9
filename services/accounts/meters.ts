/**
 * The account page's meters (issue #11): how far the account is from each floor, from its target and from
 * consistency, read from the engine's own state and compiled rules. Pure: no database, no clock. Money is
 * bigint cents inside and decimal strings out; shares are rounded half up to 0.01 % only when written out,
 * never compared after rounding.
 *
 * A meter shows room left in money and as a share of its limit, with thresholds at 50 % and 80 % used
 * (`levelOf`) — the same thresholds the notifications use for "half / most of a limit used".
 */
import { fromMinor, toMinor } from "../money_format.ts";
import { consistencyOf, profitTargetMet, scaledPercent } from "../engine/checks.ts";
import type { EngineRules } from "../engine/rules.ts";
import type { AccountState } from "../engine/state.ts";
import { isoAt } from "../time.ts";
import { ANCHOR_WORDS } from "../plans/rule_terms.ts";
import type {
  AccountMeters,
  ConsistencyMeter,
  DailyLossMeter,
  MaxLossMeter,
  MeterFigures,
  MeterLevel,
  ProfitMeter,
} from "./overview_json.ts";

/** The rule sizes in words (from `stageTerms`: the one place rules become words). */
export interface MeterWords {
  dailyLoss: string | null;
  maxLoss: string | null;
}

/** Used shares at or past which a meter reads "caution" and "danger" (hundredths of a percent). */
export const THRESHOLDS = { caution: 5_000n, danger: 8_000n } as const;

/** The meters of `state` under `rules`. */
export function accountMeters(state: AccountState, rules: EngineRules, words: MeterWords): AccountMeters {
  const dailyLoss = dailyMeter(state, rules, words);
  const maxLoss = maxMeter(state, rules, words);
  const loss = [dailyLoss, maxLoss].filter((m) => m !== null);
  const nearest = loss.length === 0 ? null : loss.reduce((a, b) => (roomOf(b) < roomOf(a) ? b : a)).key;
  return {
    dailyLoss,
    maxLoss,
    profitTarget: profitMeter(state, rules),
    consistency: consistencyMeter(state, rules),
    tradingDays: rules.minTradingDays > 0
      ? {
        key: "trading_days",
        required: rules.minTradingDays,
        current: state.tradingDays.length,
        left: Math.max(0, rules.minTradingDays - state.tradingDays.length),
      }
      : null,
    nearest,
    todayPnl: fromMinor(state.equity - state.day.sodBalance),
    tradingDay: state.day.key,
  };
}

/** Room left of a loss meter in cents (negative when past the floor), for choosing the nearest. */
function roomOf(m: DailyLossMeter | MaxLossMeter): bigint {
  return toMinor(m.current) - toMinor(m.floor);
}

function dailyMeter(state: AccountState, rules: EngineRules, words: MeterWords): DailyLossMeter | null {
  const rule = rules.dailyLoss;
  if (!rule || state.dailyFloor === null || state.day.anchor === null) return null;
  const current = rule.on === "equity" ? state.equity : state.balance;
  const breached = state.breach?.rule === "daily_loss" && state.status === "failed";
  return {
    key: "daily_loss",
    ...figures(state.day.anchor - state.dailyFloor, current - state.dailyFloor, breached),
    basis: rule.on,
    floor: fromMinor(state.dailyFloor),
    current: fromMinor(current),
    anchor: { kind: rule.anchor, value: fromMinor(state.day.anchor), words: ANCHOR_WORDS[rule.anchor] },
    method: words.dailyLoss ?? "",
    action: rule.action,
    resetsAt: isoAt(state.day.closesAt),
    resetZone: rules.reset.timeZone,
    resetTime: rules.reset.time,
    pausedUntil: state.pausedUntil === null ? null : isoAt(state.pausedUntil),
  };
}

function maxMeter(state: AccountState, rules: EngineRules, words: MeterWords): MaxLossMeter | null {
  const rule = rules.maxLoss;
  if (!rule || state.maxFloor === null) return null;
  const highWater = rule.mode === "trailing_intraday"
    ? state.highestEquity
    : rule.mode === "trailing_eod"
    ? (state.highestEodBalance > state.initialBalance ? state.highestEodBalance : state.initialBalance)
    : state.initialBalance;
  const lockLevel = rule.mode === "static" ? null : rule.lockLevel;
  const breached = state.breach?.rule === "max_loss" && state.status === "failed";
  return {
    key: "max_loss",
    // A floor that trailed to its lock sits closer than `amount` below the high-water mark: the limit is
    // the distance the trader actually has from the top, not the nominal amount.
    ...figures(highWater - state.maxFloor, state.equity - state.maxFloor, breached),
    mode: rule.mode,
    floor: fromMinor(state.maxFloor),
    current: fromMinor(state.equity),
    highWater: fromMinor(highWater),
    lockLevel: lockLevel === null ? null : fromMinor(lockLevel),
    locked: lockLevel !== null && state.maxFloor >= lockLevel,
    method: words.maxLoss ?? "",
  };
}

/** Room left and the share of `limit` used; `room` below 0 (or a standing breach) reads as breached. */
export function figures(limit: bigint, room: bigint, breached = false): MeterFigures {
  const left = room < 0n ? 0n : room > limit ? limit : room;
  const used = limit - left;
  const usedHundredths = limit > 0n ? roundedShare(used, limit) : 10_000n;
  return {
    limit: fromMinor(limit),
    left: fromMinor(left),
    usedPercent: fromMinor(usedHundredths),
    leftPercent: fromMinor(10_000n - usedHundredths),
    level: levelOf(used, limit, breached || room < 0n),
  };
}

/** The level of a limit with `used` of `limit` used, compared exactly (used × 10⁴ ≥ threshold × limit). */
export function levelOf(used: bigint, limit: bigint, breached: boolean): MeterLevel {
  if (breached) return "breached";
  if (used * 10_000n >= THRESHOLDS.danger * limit) return "danger";
  if (used * 10_000n >= THRESHOLDS.caution * limit) return "caution";
  return "ok";
}

/** part / whole in hundredths of a percent, half up (both ≥ 0, whole > 0): 1/3 → 3333n. */
function roundedShare(part: bigint, whole: bigint): bigint {
  return (part * 20_000n + whole) / (2n * whole);
}

function profitMeter(state: AccountState, rules: EngineRules): ProfitMeter | null {
  if (rules.profitTarget === null) return null;
  const target = rules.profitTarget;
  const profit = state.balance - state.initialBalance;
  const done = profit <= 0n ? 0n : profit >= target ? target : profit;
  return {
    key: "profit_target",
    target: fromMinor(target),
    targetBalance: fromMinor(state.initialBalance + target),
    profit: fromMinor(profit),
    left: fromMinor(target - done),
    donePercent: fromMinor(target > 0n ? roundedShare(done, target) : 10_000n),
    met: profitTargetMet(state, rules),
    openPositions: Object.keys(state.positions).length,
  };
}

function consistencyMeter(state: AccountState, rules: EngineRules): ConsistencyMeter | null {
  if (rules.bestDayMaxPercent === null) return null;
  const c = consistencyOf(state, rules.bestDayMaxPercent);
  const scaled = scaledPercent(rules.bestDayMaxPercent); // percent × 10⁴
  let bestDayKey: string | null = null;
  for (const [key, pnl] of Object.entries(state.dailyPnl)) {
    if (pnl === c.bestDay && (bestDayKey === null || key < bestDayKey)) bestDayKey = key;
  }
  // The smallest total T with bestDay ≤ p % × T is ⌈bestDay × 10⁶ / (p × 10⁴)⌉. Without a winning day there
  // is no best day to outweigh yet: nothing is "needed" beyond making a profit at all (the target says how much).
  const needed = c.holds || c.bestDay <= 0n || scaled === 0n
    ? 0n
    : ceilDiv(c.bestDay * 1_000_000n, scaled) - c.total;
  return {
    key: "consistency",
    maxPercent: rules.bestDayMaxPercent,
    bestDay: fromMinor(c.bestDay),
    bestDayKey,
    totalProfit: fromMinor(c.total),
    sharePercent: c.total > 0n && c.bestDay >= 0n ? fromMinor(roundedShare(c.bestDay, c.total)) : null,
    needed: fromMinor(needed),
    holds: c.holds,
  };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
