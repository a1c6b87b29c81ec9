/**
 * The home page's product visual: a demo evaluation of a real plan, run through the rule engine's
 * `simulate` — the function that judges every account — so the equity curve and its daily and max-loss
 * floors on the page are what the engine computes, not a drawing. The trading is made up, and the page says
 * so; it is deterministic (a fixed seed and start), so the cached page never changes between renders.
 */
import { formatMoney, fromMinor, toMinor } from "../money.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { simulate } from "../engine/simulate.ts";
import type { AccountStatus, EngineEvent } from "../engine/state.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Monday 2 March 2026, a quiet start well inside the engine's accepted range. */
const START = Date.UTC(2026, 2, 2);
const TRADING_DAYS = 22;
/** Chosen once for a curve that shows both floors at work: a drawdown, a recovery, the target not yet met. */
const SEED = 33;
/** Times of the day's equity readings (UTC hours): inside one trading day for resets from 17:00 New York on. */
const READINGS = [7, 9, 11, 13, 15, 18];

export interface ShowcasePoint {
  /** Epoch ms. */
  at: number;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
}

export interface Showcase {
  planName: string;
  phaseName: string;
  currency: string;
  initialBalance: string;
  /** The balance that passes the phase, or null when it has no target. */
  targetBalance: string | null;
  points: ShowcasePoint[];
  /** The engine's verdict at the last reading. */
  status: AccountStatus;
  /** The last reading: equity, profit and the room left above each floor, as the dashboard shows them. */
  last: {
    equity: string;
    profit: string;
    /** Profit as % of the initial balance, 2 places (half away from zero). */
    profitPercent: string;
    dailyRoom: string | null;
    maxRoom: string | null;
    /** Profit still needed to reach the target (0 once reached), or null without a target. */
    toTarget: string | null;
  };
  tradingDays: number;
}

/**
 * mulberry32: a tiny seeded generator (32-bit integer arithmetic only, so every machine draws the same
 * numbers). Not for anything secret.
 */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A normal draw (Box–Muller) from `random`. */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const SYMBOLS = [
  { symbol: "EURUSD", price: "1.08420" },
  { symbol: "XAUUSD", price: "2318.40" },
  { symbol: "US500", price: "5214.6" },
  { symbol: "GBPJPY", price: "191.836" },
] as const;

/**
 * The demo trading as engine events: weekdays only, one trade a day, opened at the first reading and closed
 * at the last, with equity readings in between (balance = the previous close while the trade is open). Moves
 * are in basis points of the initial balance — a modest edge (+0.35 % a day on average) with ordinary noise —
 * rounded to cents.
 */
export function showcaseEvents(initialBalance: string, seed = SEED): EngineEvent[] {
  const random = seeded(seed);
  const b0 = toMinor(initialBalance);
  const bp = (n: number) => (b0 * BigInt(Math.round(n * 100))) / 1_000_000n; // n basis points, in cents
  const events: EngineEvent[] = [];
  let balance = b0;
  let day = START;
  for (let traded = 0; traded < TRADING_DAYS; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const close = balance + bp(35 + 85 * gaussian(random));
    const { symbol, price } = SYMBOLS[traded % SYMBOLS.length];
    const tradeId = `demo-${++traded}`;
    const at = (i: number) => day + READINGS[i] * HOUR_MS;
    events.push({
      type: "trade_open",
      tradeId,
      symbol,
      direction: random() < 0.5 ? "sell" : "buy",
      volume: "1.00",
      price,
      at: at(0),
    });
    let equity = balance;
    for (let i = 1; i < READINGS.length - 1; i++) {
      const left = READINGS.length - 1 - i;
      // Drift towards the day's close, with intraday noise.
      equity = equity + (close - equity) / BigInt(left + 1) + bp(40 * gaussian(random));
      events.push({ type: "equity", at: at(i), equity: fromMinor(equity), balance: fromMinor(balance) });
    }
    events.push({
      type: "trade_close",
      tradeId,
      price,
      pnl: fromMinor(close - balance),
      at: at(READINGS.length - 1),
    });
    balance = close;
  }
  return events;
}

/** The showcase for `plan`'s first phase, or null when the plan has none to show. */
export function buildShowcase(plan: PlanDefinition): Showcase | null {
  const phase = plan.phases[0];
  if (!phase) return null;
  const events = showcaseEvents(plan.initialBalance);
  const result = simulate(plan, 0, START, events, events.at(-1)!.at);
  const points = result.timeline.map((p) => ({
    at: Date.parse(p.at),
    equity: p.equity,
    dailyFloor: p.dailyFloor,
    maxFloor: p.maxFloor,
  }));
  const last = points.at(-1)!;
  const equity = toMinor(last.equity);
  const room = (floor: string | null) => floor === null ? null : fromMinor(equity - toMinor(floor));
  const target = result.objectives.find((o) => o.key === "profit_target");
  const targetBalance = target?.key === "profit_target" ? target.targetBalance : null;
  const profit = equity - toMinor(plan.initialBalance);
  const days = result.objectives.find((o) => o.key === "min_trading_days");
  return {
    planName: plan.name,
    phaseName: phase.name,
    currency: plan.currency,
    initialBalance: plan.initialBalance,
    targetBalance,
    points,
    status: result.status,
    last: {
      equity: last.equity,
      profit: fromMinor(profit),
      profitPercent: percentText(profit, toMinor(plan.initialBalance)),
      dailyRoom: room(last.dailyFloor),
      maxRoom: room(last.maxFloor),
      toTarget: targetBalance === null ? null : fromMinor(max0(toMinor(targetBalance) - equity)),
    },
    tradingDays: days?.key === "min_trading_days" ? days.current : TRADING_DAYS,
  };
}

const max0 = (v: bigint) => (v > 0n ? v : 0n);

/** `part / whole` in %, 2 places, rounded half away from zero, from integers only. */
function percentText(part: bigint, whole: bigint): string {
  const negative = part < 0n;
  const abs = negative ? -part : part;
  const hundredths = (abs * 10_000n * 2n + whole) / (whole * 2n);
  const text = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, "0")}`;
  return negative && hundredths !== 0n ? `-${text}` : text;
}

/** "$107,480" style money for the showcase's labels (whole units: it is an illustration's axis). */
export function showcaseMoney(amount: string, currency: string): string {
  return formatMoney(fromMinor((toMinor(amount) / 100n) * 100n), currency);
}
