/**
 * One row of the live risk monitor (`/admin/accounts`) and how rows are ordered: by the room left to the
 * nearest floor, as a share of the account's initial balance. Browser-safe (no DB or Deno imports): the
 * server sorts the first render with it and the monitor island re-sorts with the same code.
 */
import { fromMinor, toMinor } from "../money_format.ts";

export type MonitorStatus = "active" | "paused" | "passed" | "failed" | "pending" | "pending_kyc" | "closed";

/** The loss rule whose floor is nearest (the higher floor: equity meets it first). */
export type FloorRule = "daily_loss" | "max_loss";

export interface MonitorRow {
  id: string;
  userId: string;
  email: string;
  /** The plan's name (null for a demo account). */
  plan: string | null;
  planId: string | null;
  /** "Phase 1", the plan's own phase name, "Funded" or "Demo". */
  stage: string;
  /** `1`, `2`… for challenge phases, `funded`, `demo`: what the phase filter matches. */
  stageKey: string;
  status: MonitorStatus;
  currency: string;
  initialBalance: string;
  equity: string;
  /** Equity − the balance at the last reset. */
  todayPnl: string;
  floor: string | null;
  nearest: FloorRule | null;
  /** (equity − floor) / initial balance in %, 2 places; null without a loss floor. */
  distance: string | null;
  /**
   * The account's last trading event: a position opened or closed, or an equity mark (null before the
   * first). Not a daily reset — the scheduler rolls every account's at the same instant, which says nothing
   * about this one — nor money the firm moved (a payout) or a staff action (the feed names those).
   */
  lastEventAt: string | null;
  /** The account's state version the row shows. */
  version: number;
}

/**
 * What a stream frame carries for an account it already described: the figures that move, positionally
 * (`[id, version, status, equity, todayPnl, floor, nearest, distance, lastEventAt]`). Plan, trader and
 * currency never change, so they travel once, in the snapshot or as an added row.
 */
export type RowDelta = [
  string,
  number,
  MonitorStatus,
  string,
  string,
  string | null,
  FloorRule | null,
  string | null,
  string | null,
];

export function deltaOf(r: MonitorRow): RowDelta {
  return [r.id, r.version, r.status, r.equity, r.todayPnl, r.floor, r.nearest, r.distance, r.lastEventAt];
}

/** `row` with a delta applied (an older version than the row's is ignored). */
export function applyDelta(row: MonitorRow, d: RowDelta): MonitorRow {
  if (d[1] < row.version) return row;
  const [, version, status, equity, todayPnl, floor, nearest, distance, lastEventAt] = d;
  return { ...row, version, status, equity, todayPnl, floor, nearest, distance, lastEventAt };
}

/** Whether the monitor lists an account with this status (live ones; the rest drop off). */
export function monitored(status: string): boolean {
  return status === "active" || status === "paused";
}

/** The nearest of the two loss floors and its rule; null when the plan has neither. */
export function nearestFloor(
  dailyFloor: string | null,
  maxFloor: string | null,
): { floor: string; rule: FloorRule } | null {
  if (dailyFloor === null && maxFloor === null) return null;
  if (maxFloor === null) return { floor: dailyFloor!, rule: "daily_loss" };
  if (dailyFloor === null) return { floor: maxFloor, rule: "max_loss" };
  return toMinor(dailyFloor) >= toMinor(maxFloor)
    ? { floor: dailyFloor, rule: "daily_loss" }
    : { floor: maxFloor, rule: "max_loss" };
}

/**
 * (equity − floor) / initial × 100 with 2 places, rounded half away from zero, in integers (no float):
 * "1.25" means the account can lose 1.25 % of its initial balance before it meets the floor; negative is past it.
 */
export function distancePercent(equity: string, floor: string, initialBalance: string): string {
  const num = (toMinor(equity) - toMinor(floor)) * 10_000n;
  const den = toMinor(initialBalance);
  const neg = num < 0n;
  const abs = neg ? -num : num;
  let q = abs / den;
  if ((abs % den) * 2n >= den) q += 1n;
  return fromMinor(neg ? -q : q);
}

/** The moving figures of an account, as the monitor shows them. */
export function figuresOf(a: {
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
  initialBalance: string;
  sodBalance: string | null;
}): Pick<MonitorRow, "floor" | "nearest" | "distance" | "todayPnl"> {
  const near = nearestFloor(a.dailyFloor, a.maxFloor);
  return {
    floor: near?.floor ?? null,
    nearest: near?.rule ?? null,
    distance: near ? distancePercent(a.equity, near.floor, a.initialBalance) : null,
    todayPnl: a.sodBalance === null ? "0.00" : fromMinor(toMinor(a.equity) - toMinor(a.sodBalance)),
  };
}

/** Closest to its floor first; accounts without a floor last; ties by id so the order is stable. */
export function compareRows(a: MonitorRow, b: MonitorRow): number {
  if (a.distance !== b.distance) {
    if (a.distance === null) return 1;
    if (b.distance === null) return -1;
    const d = toMinor(a.distance) - toMinor(b.distance);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface MonitorFilter {
  planId?: string;
  /** A `stageKey`. */
  stage?: string;
  status?: "active" | "paused";
  /** Only rows at most this far from their floor (a percentage, e.g. "2.5"). */
  below?: string;
  /** Part of the trader's email, any case. */
  email?: string;
}

/** Whether `row` passes `filter` (the same test on the server's first render and in the island). */
export function matches(row: MonitorRow, f: MonitorFilter): boolean {
  if (!monitored(row.status)) return false;
  if (f.planId && row.planId !== f.planId) return false;
  if (f.stage && row.stageKey !== f.stage) return false;
  if (f.status && row.status !== f.status) return false;
  if (f.email && !row.email.toLowerCase().includes(f.email.toLowerCase())) return false;
  if (f.below) {
    if (row.distance === null || toMinor(row.distance) > toMinor(f.below)) return false;
  }
  return true;
}

/** One entry of the monitor's feed: a breach or pause the engine decided, or a staff action on an account. */
export type FeedItem = BreachItem | StaffActionItem;

/** A breach or pause the engine decided, and where its evidence is. */
export interface BreachItem {
  kind: "breach";
  accountId: string;
  email: string;
  rule: "daily_loss" | "max_loss" | "time_limit";
  action: "fail" | "pause";
  at: string;
  floor: string | null;
  observed: string;
  currency: string;
}

/** What staff did to an account, by the action's audit entry. */
export type StaffAction = "paused" | "reinstated" | "closed";

/** A staff action on an account, from its audit entry: who did it to whose account, when and why. */
export interface StaffActionItem {
  kind: "staff";
  accountId: string;
  /** The trader's email. */
  email: string;
  action: StaffAction;
  /** What a reinstatement lifted: a pause (the account resumed) or a failure; null for the others. */
  from: "paused" | "failed" | null;
  at: string;
  /** The staff member's email (null once their user is erased: the audit entry outlives it). */
  actor: string | null;
  reason: string | null;
}

/** Newest first (ties: the order given), at most `limit`: how the feed lists what two sources return. */
export function newestFirst(items: FeedItem[], limit: number): FeedItem[] {
  return items.map((item, i) => ({ item, i, t: Date.parse(item.at) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .slice(0, limit)
    .map((x) => x.item);
}

/** A whole row, positionally: its delta, then what never changes (the snapshot's 5,000 rows stay small). */
export type PackedRow = [
  ...RowDelta,
  string,
  string,
  string | null,
  string | null,
  string,
  string,
  string,
  string,
];

export function packRow(r: MonitorRow): PackedRow {
  return [
    ...deltaOf(r),
    r.userId,
    r.email,
    r.plan,
    r.planId,
    r.stage,
    r.stageKey,
    r.currency,
    r.initialBalance,
  ];
}

export function unpackRow(p: PackedRow): MonitorRow {
  const [id, version, status, equity, todayPnl, floor, nearest, distance, lastEventAt] = p;
  const [userId, email, plan, planId, stage, stageKey, currency, initialBalance] = p.slice(9) as string[];
  return {
    id,
    version,
    status,
    equity,
    todayPnl,
    floor,
    nearest,
    distance,
    lastEventAt,
    userId,
    email,
    plan,
    planId,
    stage,
    stageKey,
    currency,
    initialBalance,
  };
}

/** The data of the monitor stream's `snapshot` event. */
export interface MonitorSnapshot {
  rows: PackedRow[];
  /** Breaches, pauses and staff actions, newest first. */
  feed: FeedItem[];
}

/** The data of a `rows` event: what changed since the previous event, coalesced. */
export interface MonitorUpdate {
  /** Changed figures of rows the client has. */
  rows: RowDelta[];
  /** Rows the client may not have (accounts that became live, or a resume's catch-up). */
  added: PackedRow[];
  /** New breaches, pauses and staff actions, oldest first. */
  feed: FeedItem[];
}

/**
 * How close a row is to its floor, in the meters' words (components/limit_meter.tsx `LEVELS`): past it,
 * within 1 % of the initial balance, within 2.5 %, or further.
 */
export function riskLevel(distance: string | null): "ok" | "caution" | "danger" | "breached" {
  if (distance === null) return "ok";
  const d = toMinor(distance);
  if (d <= 0n) return "breached";
  if (d <= 100n) return "danger";
  if (d <= 250n) return "caution";
  return "ok";
}

export const RULE_WORDS: Record<BreachItem["rule"], string> = {
  daily_loss: "Daily loss",
  max_loss: "Max loss",
  time_limit: "Time limit",
};
