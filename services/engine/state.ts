/**
 * The evaluated state of one trading account against one rule version, and the events that move it
 * (DESIGN §3, §4). States are immutable values: `applyEvent` returns a new one. Money is bigint minor units
 * inside, decimal strings in `stateToJson` / evidence; instants are epoch ms (UTC).
 */
import { fromMinor, percentOf, toMinor } from "../money.ts";
import type { EngineRules } from "./rules.ts";
import { tradingDay } from "./trading_day.ts";
import { isoAt } from "../time.ts";
import { canonicalJson, sha256HexSync } from "./canonical.ts";

/**
 * The statuses of a live account: evaluated on every event and rolled at every reset. `paused` is live (the
 * daily-loss pause blocks trading until the next reset, which the roll must reach to lift it); `passed` and
 * `failed` are final — a verdict is never undone. Statuses outside the engine (`pending`, `pending_kyc`,
 * `closed`: not trading yet or any more) are not live either. The one definition: the engine, the sync path,
 * the scheduler and its SQL (`accounts_next_reset_idx` is partial on the same list) all use it.
 */
export const LIVE_STATUSES = ["active", "paused"] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];
export type AccountStatus = LiveStatus | "passed" | "failed";

/** Whether an account with this status is live (see `LIVE_STATUSES`); any row status may be asked. */
export function isLive(status: string): status is LiveStatus {
  return (LIVE_STATUSES as readonly string[]).includes(status);
}
export type ObjectiveKey = "profit_target" | "min_trading_days" | "consistency";

/** Sync events (DESIGN §4) with `at` as epoch ms, plus the synthetic `reset` a scheduler or simulator injects. */
export type EngineEvent =
  | {
    type: "trade_open";
    tradeId: string;
    symbol: string;
    direction: "buy" | "sell";
    volume: string;
    price: string;
    at: number;
  }
  | { type: "trade_close"; tradeId: string; price: string; pnl: string; at: number }
  | {
    type: "equity";
    equity: string;
    balance: string;
    at: number;
    /** The price tick behind a venue mark (all four or none): named by the evidence of a breach it causes. */
    symbol?: string;
    bid?: string;
    ask?: string;
    /** The tick's own instant, ISO-8601 (the mark's `at` is never before the account's last event). */
    tickAt?: string;
  }
  | { type: "reset"; at: number }
  | LedgerEvent;

/**
 * Money moved by the firm, not by trading (DESIGN §3.2): a payout's gross `amount` leaving the account at
 * request, and its reversal when staff reject it (`amount`: the gross, a positive decimal string). Neither is
 * a profit or a loss (services/engine/ledger.ts).
 */
export type LedgerEvent =
  | { type: "withdrawal"; payoutId: string; amount: string; at: number }
  | { type: "withdrawal_reversal"; payoutId: string; amount: string; at: number };

export interface OpenPosition {
  tradeId: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  price: string;
  openedAt: number;
}

/** The current trading day and the values fixed at the reset that opened it. */
interface DayState {
  key: string;
  opensAt: number;
  closesAt: number;
  sodBalance: bigint;
  sodEquity: bigint;
  /** The daily-loss anchor value (null when the plan has no daily loss rule). */
  anchor: bigint | null;
}

/** Breach evidence (DESIGN §3), JSON-ready: money as decimal strings, instants as ISO-8601 UTC. */
export interface BreachEvidence {
  rule: "daily_loss" | "max_loss" | "time_limit";
  action: "fail" | "pause";
  ruleVersion: string;
  at: string;
  tradingDay: string;
  /** What was compared with the floor (`time` for the time limit). */
  basis: "equity" | "balance" | "time";
  floor: string | null;
  observed: string;
  anchor: { kind: string; value: string } | null;
  deadline: string | null;
  cause: EventJson;
  openPositions: PositionJson[];
  /** sha256 of canonicalJson({ ruleVersion, state: stateToJson(prior state), event: eventToJson(cause) }). */
  inputsHash: string;
}

export type Verdict =
  | { type: "breach"; evidence: BreachEvidence }
  | { type: "paused"; until: string; evidence: BreachEvidence }
  | { type: "resumed"; at: string }
  | { type: "objective_met"; key: ObjectiveKey; at: string }
  | { type: "passed"; at: string }
  /** Money the firm moved (a payout's withdrawal, its reversal on rejection): shown as such, never as P&L. */
  | { type: "withdrawal" | "withdrawal_reversed"; payoutId: string; amount: string; at: string };

export interface AccountState {
  rulesVersion: string;
  initialBalance: bigint;
  balance: bigint;
  equity: bigint;
  positions: Readonly<Record<string, OpenPosition>>;
  highestEquity: bigint;
  highestEodBalance: bigint;
  day: DayState;
  dailyFloor: bigint | null;
  maxFloor: bigint | null;
  /** Keys of the trading days in which a trade was opened, ascending. */
  tradingDays: readonly string[];
  /** Balance change per trading day (realized P&L incl. costs), for consistency. Sums to balance − B0. */
  dailyPnl: Readonly<Record<string, bigint>>;
  /** Objectives currently met, so `objective_met` is reported on the change only. */
  met: readonly ObjectiveKey[];
  status: AccountStatus;
  pausedUntil: number | null;
  startedAt: number;
  /** The reset at which the time limit ends, or null. */
  deadlineAt: number | null;
  /** The latest applied instant (event or rolled reset): earlier events are rejected. */
  lastEventAt: number;
  breach: BreachEvidence | null;
  /** +1 per applied event and per rolled reset. */
  version: number;
}

/** A fresh account at `startedAt`: balance = equity = B0, floors from the rules. */
export function initialState(rules: EngineRules, startedAt: number | Date): AccountState {
  const t = +startedAt;
  const b0 = rules.initialBalance;
  const day = openDay(t, b0, b0, rules);
  return {
    rulesVersion: rules.version,
    initialBalance: b0,
    balance: b0,
    equity: b0,
    positions: {},
    highestEquity: b0,
    highestEodBalance: b0,
    day,
    dailyFloor: dailyFloorOf(rules, day),
    maxFloor: rules.maxLoss ? b0 - rules.maxLoss.amount : null,
    tradingDays: [],
    dailyPnl: {},
    met: [],
    status: "active",
    pausedUntil: null,
    startedAt: t,
    deadlineAt: deadlineOf(rules, t),
    lastEventAt: t,
    breach: null,
    version: 0,
  };
}

/** The trading day containing `t`, anchored on the given start-of-day balance and equity. */
export function openDay(t: number, sodBalance: bigint, sodEquity: bigint, rules: EngineRules): DayState {
  const { key, opensAt, closesAt } = tradingDay(t, rules.reset);
  const anchor = !rules.dailyLoss ? null : {
    sod_balance: sodBalance,
    sod_equity: sodEquity,
    sod_max: sodBalance > sodEquity ? sodBalance : sodEquity,
    initial: rules.initialBalance,
  }[rules.dailyLoss.anchor];
  return { key, opensAt, closesAt, sodBalance, sodEquity, anchor };
}

/** floor = anchor − amount, the amount being fixed or a share of the anchor (rounded half away from zero). */
export function dailyFloorOf(rules: EngineRules, day: DayState): bigint | null {
  if (!rules.dailyLoss || day.anchor === null) return null;
  const amount = rules.dailyLoss.amount;
  if (amount.kind === "fixed") return day.anchor - amount.minor;
  return day.anchor - percentOfMinor(day.anchor, amount.percent);
}

/**
 * The time limit ends at the first reset at or after `startedAt + N × 24 h`: at least N full days, and never
 * in the middle of a trading day.
 */
function deadlineOf(rules: EngineRules, startedAt: number): number | null {
  if (rules.timeLimitDays === null) return null;
  const due = startedAt + rules.timeLimitDays * 86_400_000;
  const day = tradingDay(due, rules.reset);
  return day.opensAt === due ? due : day.closesAt;
}

function percentOfMinor(minor: bigint, percent: string): bigint {
  return toMinor(percentOf(fromMinor(minor), percent));
}

// ---- JSON forms (persistence, evidence, hashing) ----

type EventJson = Record<string, string>;

interface PositionJson {
  tradeId: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  price: string;
  openedAt: string;
}

/** The event as it appears in evidence: its own fields, `at` as ISO-8601. */
export function eventToJson(event: EngineEvent): EventJson {
  const { at, ...rest } = event;
  return { ...rest, at: isoAt(at) } as EventJson;
}

export function positionsToJson(positions: Readonly<Record<string, OpenPosition>>): PositionJson[] {
  return Object.keys(positions).sort().map((id) => {
    const p = positions[id];
    return { ...p, openedAt: isoAt(p.openedAt) };
  });
}

const MONEY_FIELDS = [
  "initialBalance",
  "balance",
  "equity",
  "highestEquity",
  "highestEodBalance",
  "dailyFloor",
  "maxFloor",
] as const;
const MONEY_KEYS: ReadonlySet<string> = new Set(MONEY_FIELDS);

/** A JSON-safe copy of the state (bigints → decimal strings). `stateFromJson` reverses it exactly. */
export function stateToJson(state: AccountState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) out[key] = fieldToJson(key, value);
  return out;
}

/**
 * The top-level keys of `stateToJson(after)` whose values differ from those of `stateToJson(before)`, with
 * their JSON values: `{ ...stateToJson(before), ...patch }` equals `stateToJson(after)` (and so does jsonb's
 * `before || patch`, which merges top-level keys the same way). Null when `after` adds or drops a key, which a
 * merge cannot express. A key is left out only when `after` holds the very same value (`===`: the engine's
 * new states share the parts an event did not touch), so an equal copy is sent again: longer, never wrong.
 * What a mark changes is a few figures (equity, version, last instant), not the positions or the day.
 */
export function stateJsonPatch(before: AccountState, after: AccountState): Record<string, unknown> | null {
  const a = after as unknown as Record<string, unknown>;
  const b = before as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  let keys = 0;
  for (const key in a) {
    keys++;
    if (!(key in b)) return null;
    if (a[key] !== b[key]) patch[key] = fieldToJson(key, a[key]);
  }
  for (const _ in b) keys--;
  return keys === 0 ? patch : null;
}

/** One top-level value of the state as `stateToJson` writes it. */
function fieldToJson(key: string, value: unknown): unknown {
  if (MONEY_KEYS.has(key)) return value === null ? null : fromMinor(value as bigint);
  switch (key) {
    case "day": {
      const day = value as DayState;
      return {
        ...day,
        sodBalance: fromMinor(day.sodBalance),
        sodEquity: fromMinor(day.sodEquity),
        anchor: day.anchor === null ? null : fromMinor(day.anchor),
      };
    }
    case "dailyPnl":
      return Object.fromEntries(
        Object.entries(value as Record<string, bigint>).map(([k, v]) => [k, fromMinor(v)]),
      );
    case "positions":
      return { ...(value as Record<string, OpenPosition>) };
    case "tradingDays":
    case "met":
      return [...(value as readonly string[])];
    default:
      return value;
  }
}

// deno-lint-ignore no-explicit-any
export function stateFromJson(json: any): AccountState {
  const out = { ...json };
  for (const f of MONEY_FIELDS) out[f] = json[f] === null ? null : toMinor(json[f]);
  out.day = {
    ...json.day,
    sodBalance: toMinor(json.day.sodBalance),
    sodEquity: toMinor(json.day.sodEquity),
    anchor: json.day.anchor === null ? null : toMinor(json.day.anchor),
  };
  out.dailyPnl = Object.fromEntries(
    Object.entries(json.dailyPnl as Record<string, string>).map(([k, v]) => [k, toMinor(v)]),
  );
  return out as AccountState;
}

/**
 * sha256 of the canonical JSON of a state: two states are the same evaluated account exactly when their hashes
 * agree (what a replay of an account's events is checked against).
 */
export function stateHash(state: AccountState): string {
  return sha256HexSync(canonicalJson(stateToJson(state)));
}
