/**
 * What the marker (services/venue/marker.ts) keeps in memory per account holding venue positions: the account
 * row and engine state as last persisted (its version is what a plain mark is written against), the rules,
 * the positions (prepared for per-tick valuation) and the latest mark not written yet. Loaded from the database
 * at start, on `venue:book` messages, after the marker's own engine-path commits and every `reloadMs`.
 */
import type { Sql } from "../../db/client.ts";
import { rulesFor, stageOf } from "../accounts/rules.ts";
import { type LockedAccount, lockedColumns } from "../accounts/persist.ts";
import type { EngineRules } from "../engine/rules.ts";
import { type AccountState, stateFromJson } from "../engine/state.ts";
import { openPositions, pendingOrders, type VenueOrder, type VenuePosition } from "./book.ts";
import type { Instrument } from "./instruments.ts";
import { floatingOf, type MarkPrices, type PreparedPosition, preparePosition } from "./mark_value.ts";
import { protectionHit } from "./order_input.ts";
import type { CloseRequest } from "./settle.ts";
import { applyEvent } from "../engine/evaluate.ts";
import { fromMinor } from "../money.ts";
import type { Tick } from "./price_book.ts";
import type { Quotes } from "./valuation.ts";

/** A mark evaluated at a tick and not written yet (written by the next flush, within `flushMs`). */
export interface PendingMark {
  tick: Tick;
  /** The quotes as they were at the tick (the mark's equity is valued at them). */
  quotes: Quotes;
  /** The mark's instant: the tick's, raised to the account's last applied instant. */
  at: number;
  equity: bigint;
  /** The state version the mark was evaluated on: it is written only on top of that version. */
  basis: number;
}

export interface Holder {
  /** The row as of `state` (`state_version` = `state.version`); `engine_state` is not kept here. */
  row: LockedAccount;
  rules: EngineRules;
  state: AccountState;
  positions: VenuePosition[];
  /** `positions` ready for valuation; null when one of them has no instrument (the account cannot be valued). */
  prepared: PreparedPosition[] | null;
  dirty: PendingMark | null;
  /**
   * Notification keys (services/notifications/derive.ts) a change of this account has already derived and the
   * engine path recorded: a plain mark deriving only these is written by the marker itself (recording them
   * again would be a no-op).
   */
  notified: Set<string>;
}

/** The accounts to follow when reloading everything: those with open positions or pending orders. */
export async function followedAccounts(sql: Sql): Promise<string[]> {
  const rows = await sql<{ account_id: string }[]>`
    select distinct account_id from venue_positions where status = 'open'
    union select distinct account_id from venue_orders where status = 'pending'`;
  return rows.map((r) => r.account_id);
}

/**
 * Reads the given accounts: a holder for each one that is active with open positions, and the pending orders
 * of all of them.
 */
export async function loadHolders(
  sql: Sql,
  accountIds: readonly string[],
  instruments: ReadonlyMap<string, Instrument>,
): Promise<{ holders: Holder[]; orders: VenueOrder[] }> {
  const ids = accountIds as string[];
  const [rows, positions, orders] = await Promise.all([
    sql<LockedAccount[]>`select ${lockedColumns(sql)} from accounts where id = any(${ids})`,
    openPositions(sql, ids),
    pendingOrders(sql, ids),
  ]);
  const byAccount = new Map<string, VenuePosition[]>();
  for (const p of positions) {
    let list = byAccount.get(p.accountId);
    if (!list) byAccount.set(p.accountId, list = []);
    list.push(p);
  }
  const holders: Holder[] = [];
  for (const row of rows) {
    const own = byAccount.get(row.id);
    if (!own || !row.engine_state || !row.plan_version_id || row.status !== "active") continue;
    const { rules } = await rulesFor(sql, row.plan_version_id, stageOf(row));
    const prepared = own.map((p) => preparePosition(p, instruments.get(p.symbol)));
    holders.push({
      row: { ...row, engine_state: null },
      rules,
      state: stateFromJson(row.engine_state),
      positions: own,
      prepared: prepared.every((p) => p !== null) ? prepared as PreparedPosition[] : null,
      dirty: null,
      notified: new Set(),
    });
  }
  return { holders, orders };
}

/**
 * The dry run of one tick on one holder: the positions' SL/TP hits at the tick, the equity mark at `prices`
 * (the quotes as of the tick) and the engine's verdict on it against the holder's state; null when the account
 * cannot be valued (a missing quote or rate) or the engine refuses the mark.
 */
export function evaluateTick(h: Holder, tick: Tick, prices: MarkPrices) {
  if (!h.prepared) return null;
  const closes: CloseRequest[] = [];
  for (const p of h.positions) {
    if (p.symbol !== tick.symbol) continue;
    const hit = protectionHit(p, tick);
    if (hit) closes.push({ positionId: p.id, reason: hit });
  }
  const floating = floatingOf(h.prepared, prices, h.row.currency);
  if (floating === null) return null;
  const equity = h.state.balance + floating;
  const at = Math.max(tick.at, h.state.lastEventAt);
  const mark = {
    type: "equity" as const,
    equity: fromMinor(equity),
    balance: fromMinor(h.state.balance),
    at,
  };
  let applied;
  try {
    applied = applyEvent(h.state, mark, h.rules);
  } catch {
    return null;
  }
  return {
    closes,
    /** A breach or a pause: the account is closed out at this tick. */
    breach: applied.verdicts.some((v) => v.type === "breach" || v.type === "paused"),
    verdicts: applied.verdicts.length > 0,
    /** Written at once: a verdict or a new high-water mark. */
    urgent: applied.verdicts.length > 0 || applied.state.highestEquity > h.state.highestEquity,
    state: applied.state,
    at,
    equity,
  };
}
