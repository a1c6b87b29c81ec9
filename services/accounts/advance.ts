/**
 * Folds events into an account's state through the engine core and collects what the live path persists
 * beside the state: per-event versions, per-trading-day statistics, trade rows and trading-block violations.
 * Pure: no database, no clock. The sync path (sync batches) and the scheduler (resets) both go through here.
 *
 * Resets are stepped explicitly, one `reset` event per closing day, exactly as `simulate` does (the core
 * would roll the same resets itself), so every trading day that opens is seen and gets its statistics row.
 * A sync batch runs the fold in time slices (`advanceSliced`, lib/slices.ts) so a big one does not hold the
 * event loop.
 */
import { Unprocessable } from "../../lib/errors.ts";
import { fitsMoneyColumn, fromMinor, MONEY_MAX } from "../money.ts";
import { applyEvent } from "../engine/evaluate.ts";
import type { EngineRules } from "../engine/rules.ts";
import {
  type AccountState,
  type BreachEvidence,
  type EngineEvent,
  isLive,
  type Verdict,
} from "../engine/state.ts";
import { isoAt } from "../time.ts";
import { runSliced, runToEnd } from "../../lib/slices.ts";

/** One trading day's figures as this fold saw them (merged into `daily_stats` with greatest/least). */
interface DayStats {
  key: string;
  opensAt: number;
  sodBalance: bigint;
  sodEquity: bigint;
  high: bigint;
  low: bigint;
  closeBalance: bigint;
  closeEquity: bigint;
  pnl: bigint;
  tradesOpened: number;
}

/** A `trade_open` event as the trades table records it, flagged when it came while trading was blocked. */
type TradeOpen = Omit<Extract<EngineEvent, { type: "trade_open" }>, "type"> & { blocked: boolean };

type TradeClose = Omit<Extract<EngineEvent, { type: "trade_close" }>, "type">;

/** A trade opened while trading was blocked: accepted (it happened) but reported and flagged. */
export interface Violation {
  eventId: string;
  tradeId: string;
  rule: "trading_blocked";
  /** The account status that blocked trading. */
  status: "paused" | "failed" | "passed";
  at: string;
  /** When trading resumes (a pause), or null (final). */
  until: string | null;
}

export interface Advanced {
  state: AccountState;
  verdicts: Verdict[];
  /** The state version right after each input event, by input index. */
  versions: number[];
  days: Map<string, DayStats>;
  opens: TradeOpen[];
  closes: TradeClose[];
  violations: Violation[];
  /** The account's figures after each step, and once more for each breach or pause (equity_samples). */
  samples: EquitySampleRow[];
}

/** One point of the equity history (services/trading/equity.ts writes them). */
export interface EquitySampleRow {
  at: number;
  balance: bigint;
  equity: bigint;
  dailyFloor: bigint | null;
  maxFloor: bigint | null;
  /** The rule of a breach or pause; null for a regular sample. */
  breach: BreachEvidence["rule"] | null;
}

/** What the connector must do after a change (level-triggered: repeated while it holds). */
export interface TradingDirective {
  allowed: boolean;
  /** `self_locked`: a self-lock of the trader's holds (services/self_locks/directive.ts). */
  reason: "paused" | "failed" | "passed" | "self_locked" | null;
  /** When a pause or self-lock ends, or null. */
  until: string | null;
  /** The self-lock in words; present only with `reason: "self_locked"`. */
  message?: string;
  /** Flatten every open position now: trading is blocked and positions are still open. */
  closeAll: boolean;
  openPositions: string[];
}

type SyncedEvent = { id: string; event: EngineEvent };

/**
 * Applies `events` (already in `at` order, each with its sync id) to `state`, then rolls the resets due by
 * `until` when given (the scheduler's "time is now").
 *
 * @throws Conflict (from the core) for an event older than the last applied instant; Unprocessable for an
 *   event that would carry a figure past what the account's columns hold (see `assertStorable`).
 */
export function advance(
  start: AccountState,
  rules: EngineRules,
  events: readonly SyncedEvent[],
  until?: number,
): Advanced {
  return runToEnd(advanceSteps(start, rules, events, until));
}

/** `advance` in time slices that give the event loop back between them (a sync batch of many events). */
export function advanceSliced(
  start: AccountState,
  rules: EngineRules,
  events: readonly SyncedEvent[],
  until?: number,
): Promise<Advanced> {
  return runSliced(advanceSteps(start, rules, events, until));
}

/** The fold as a generator that yields after each event or reset (see lib/slices.ts). */
function* advanceSteps(
  start: AccountState,
  rules: EngineRules,
  events: readonly SyncedEvent[],
  until?: number,
): Generator<void, Advanced> {
  const out: Advanced = {
    state: start,
    verdicts: [],
    versions: [],
    days: new Map(),
    opens: [],
    closes: [],
    violations: [],
    samples: [],
  };
  const step = (event: EngineEvent) => {
    const applied = applyEvent(out.state, event, rules);
    out.state = applied.state;
    out.verdicts.push(...applied.verdicts);
    const { balance, equity, dailyFloor, maxFloor } = applied.state;
    const sample = { at: event.at, balance, equity, dailyFloor, maxFloor, breach: null };
    out.samples.push(sample);
    for (const v of applied.verdicts) {
      if (v.type === "breach" || v.type === "paused") {
        out.samples.push({ ...sample, breach: v.evidence.rule });
      }
    }
  };
  function* rollTo(t: number) {
    while (isLive(out.state.status) && out.state.day.closesAt <= t) {
      step({ type: "reset", at: out.state.day.closesAt });
      // The day the reset opened gets its row even when the reset itself failed the account.
      touch(out, out.state, false);
      yield;
    }
  }

  for (const { id, event } of events) {
    yield* rollTo(event.at);
    const before = out.state;
    step(event);
    assertStorable(out.state, id);
    out.versions.push(out.state.version);
    if (event.type === "trade_open") {
      const blocked = before.status !== "active";
      out.opens.push({ ...pick(event), at: event.at, blocked });
      if (blocked) {
        out.violations.push({
          eventId: id,
          tradeId: event.tradeId,
          rule: "trading_blocked",
          status: before.status as Violation["status"],
          at: isoAt(event.at),
          until: before.pausedUntil === null ? null : isoAt(before.pausedUntil),
        });
      }
    } else if (event.type === "trade_close") {
      out.closes.push({ tradeId: event.tradeId, price: event.price, pnl: event.pnl, at: event.at });
    }
    // Statistics describe evaluated days: after a final status the day no longer moves, so it is left as is.
    if (isLive(before.status)) touch(out, out.state, event.type === "trade_open");
    yield;
  }
  if (until !== undefined) yield* rollTo(until);
  return out;
}

/**
 * Each event's amounts fit NUMERIC(15,2), but their sum need not: a profit of 9,999,999,999,999.99 on a
 * 100K account is a balance the `accounts` row cannot hold (PostgreSQL: "numeric field overflow", a 500).
 * Such an event is refused before anything is written.
 */
function assertStorable(state: AccountState, eventId: string): void {
  const figures: [string, bigint | null][] = [
    ["balance", state.balance],
    ["equity", state.equity],
    ["day's P&L", state.dailyPnl[state.day.key] ?? 0n],
    ["daily loss floor", state.dailyFloor],
    ["maximum loss floor", state.maxFloor],
  ];
  for (const [name, value] of figures) {
    if (value !== null && !fitsMoneyColumn(value)) {
      throw new Unprocessable(
        "events",
        `event "${eventId.slice(0, 100)}" would carry the account's ${name} past ±${MONEY_MAX}; ` +
          "nothing was applied",
      );
    }
  }
}

/** The connector's instruction for a state: may it trade, and must it flatten now? */
export function directiveOf(state: AccountState): TradingDirective {
  const openPositions = Object.keys(state.positions).sort();
  const allowed = state.status === "active";
  return {
    allowed,
    reason: allowed ? null : state.status as TradingDirective["reason"],
    until: state.status === "paused" && state.pausedUntil !== null ? isoAt(state.pausedUntil) : null,
    closeAll: !allowed && openPositions.length > 0,
    openPositions,
  };
}

function touch(out: Advanced, state: AccountState, opened: boolean): void {
  const day = state.day;
  let stats = out.days.get(day.key);
  if (!stats) {
    // Equity at the reset is the first value the day saw, so it bounds the day's high and low too.
    stats = {
      key: day.key,
      opensAt: day.opensAt,
      sodBalance: day.sodBalance,
      sodEquity: day.sodEquity,
      high: day.sodEquity,
      low: day.sodEquity,
      closeBalance: state.balance,
      closeEquity: state.equity,
      pnl: 0n,
      tradesOpened: 0,
    };
    out.days.set(day.key, stats);
  }
  if (state.equity > stats.high) stats.high = state.equity;
  if (state.equity < stats.low) stats.low = state.equity;
  stats.closeBalance = state.balance;
  stats.closeEquity = state.equity;
  stats.pnl = state.dailyPnl[day.key] ?? 0n;
  if (opened) stats.tradesOpened++;
}

/** The `daily_stats` rows of a fold, JSON-ready for `jsonb_to_recordset`. */
export function dayRows(days: Map<string, DayStats>): Record<string, string | number>[] {
  return [...days.values()].map((d) => ({
    trading_day: d.key,
    opens_at: isoAt(d.opensAt),
    sod_balance: fromMinor(d.sodBalance),
    sod_equity: fromMinor(d.sodEquity),
    high_equity: fromMinor(d.high),
    low_equity: fromMinor(d.low),
    close_balance: fromMinor(d.closeBalance),
    close_equity: fromMinor(d.closeEquity),
    pnl: fromMinor(d.pnl),
    trades_opened: d.tradesOpened,
  }));
}

function pick(e: Extract<EngineEvent, { type: "trade_open" }>) {
  return { tradeId: e.tradeId, symbol: e.symbol, direction: e.direction, volume: e.volume, price: e.price };
}
