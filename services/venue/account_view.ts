/**
 * GET /api/venue/accounts/:id: the account as the terminal shows it — balance, equity and margin at the latest
 * quotes, open positions with their unrealized P&L, pending orders, and whether it may trade now; beside the
 * venue's own book, the positions an outside connector holds on the account and the latest closed trades of
 * both sources (services/venue/outside_view.ts).
 */
import type { Deps } from "../deps.ts";
import { fromMinor } from "../money.ts";
import { stateFromJson } from "../engine/state.ts";
import { openPositions, pendingOrders, type VenueOrder, type VenuePosition } from "./book.ts";
import { assertAccountTrades } from "./checks.ts";
import { NotFound } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import { VenueRefusal } from "./refusals.ts";
import { valuate } from "./valuation.ts";
import { instrumentMap } from "./valuation.ts";
import type { TradeSource } from "./trade_json.ts";
import { platformOf, type TradePlatform } from "../accounts/trade_platform.ts";
import {
  type ClosedTradeJson,
  outsideOpen,
  type OutsidePositionJson,
  recentClosed,
  valueOutside,
} from "./outside_view.ts";

export type { ClosedTradeJson, OutsidePositionJson, TradeSource } from "./outside_view.ts";

export interface PositionJson {
  id: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  openPrice: string;
  openedAt: string;
  sl: string | null;
  tp: string | null;
  commission: string | null;
  pnl: string | null;
}

export interface OrderJson {
  id: string;
  symbol: string;
  direction: "buy" | "sell";
  type: VenueOrder["type"];
  status: VenueOrder["status"];
  volume: string;
  price: string | null;
  sl: string | null;
  tp: string | null;
  fillPrice: string | null;
  positionId: string | null;
  reason: string | null;
  createdAt: string;
}

export function orderJson(o: VenueOrder): OrderJson {
  return {
    id: o.id,
    symbol: o.symbol,
    direction: o.direction,
    type: o.type,
    status: o.status,
    volume: o.volume,
    price: o.price,
    sl: o.sl,
    tp: o.tp,
    fillPrice: o.fillPrice,
    positionId: o.positionId,
    reason: o.reason,
    createdAt: o.createdAt.toISOString(),
  };
}

export function positionJson(p: VenuePosition, value?: { pnl: bigint; commission: bigint }): PositionJson {
  return {
    id: p.id,
    symbol: p.symbol,
    direction: p.direction,
    volume: p.volume,
    openPrice: p.openPrice,
    openedAt: p.openedAt.toISOString(),
    sl: p.sl,
    tp: p.tp,
    commission: value ? fromMinor(value.commission) : null,
    pnl: value ? fromMinor(value.pnl) : null,
  };
}

export interface VenueAccountJson {
  accountId: string;
  currency: string;
  status: string;
  balance: string;
  /**
   * At the latest quotes: balance + Σ venue (floating P&L − opening commission) + Σ outside floating P&L.
   * Null while a quote is missing, or while an outside position's symbol is not one the venue quotes.
   */
  equity: string | null;
  /** Margin the venue holds for its own positions (a platform holds its own for the outside ones). */
  margin: { used: string | null; free: string | null };
  /** The venue's open positions (the only ones the terminal can change or close). */
  positions: PositionJson[];
  orders: OrderJson[];
  /** Open positions an outside connector reported, newest first (at most 100; `outsideOpen` counts all). */
  outsidePositions: OutsidePositionJson[];
  outsideOpen: number;
  /** The latest closed trades of both sources, newest close first (the full history is elsewhere). */
  closed: ClosedTradeJson[];
  trading: { allowed: boolean; code: string | null; reason: string | null };
  /**
   * Who trades the account, fixed by its first trade (services/accounts/trade_source.ts): the venue, the
   * trader's platform (then `trading` refuses with code `platform`), or null before the first trade.
   */
  tradeSource: TradeSource | null;
  /** The platform a connector's account is traded on, as its connector named it (null: not named). */
  tradePlatform: TradePlatform | null;
}

/** The venue view of an account of `userId`'s; 404 for anyone else's. */
export async function venueAccount(
  deps: Pick<Deps, "db" | "prices">,
  userId: string,
  accountId: string,
  now: Date = new Date(),
): Promise<VenueAccountJson> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const sql = deps.db.sql;
  const [[account], positions, orders, instruments, outsideRead, closed] = await Promise.all([
    sql<
      {
        id: string;
        user_id: string;
        currency: string;
        status: string;
        engine_state: unknown;
        trade_source: TradeSource | null;
        trade_platform: string | null;
        trade_platform_version: string | null;
      }[]
    >`
      select id, user_id, currency, status, engine_state, trade_source, trade_platform, trade_platform_version
      from accounts where id = ${accountId}`,
    openPositions(sql, [accountId]),
    pendingOrders(sql, [accountId]),
    instrumentMap(deps.db),
    outsideOpen(sql, accountId),
    recentClosed(sql, accountId),
  ]);
  // Whose it is, from the row the view reads anyway (the other reads are discarded for anyone else's).
  if (!account || account.user_id !== userId) throw new NotFound("No such account.");
  const balance = account.engine_state ? stateFromJson(account.engine_state).balance : 0n;
  const value = valuate(positions, instruments, deps.prices, account.currency);
  const outside = valueOutside(outsideRead.rows, instruments, deps.prices, account.currency);
  let trading: VenueAccountJson["trading"] = { allowed: true, code: null, reason: null };
  try {
    await assertAccountTrades(sql, account, now);
  } catch (error) {
    if (!(error instanceof VenueRefusal)) throw error;
    trading = { allowed: false, code: error.code, reason: error.message };
  }
  // Past the listed ones the sum would be partial: no equity rather than a wrong one.
  const outsideFloating = outsideRead.open > outsideRead.rows.length ? null : outside.floating;
  const equity = value && outsideFloating !== null ? balance + value.floating + outsideFloating : null;
  return {
    accountId,
    currency: account.currency,
    status: account.status,
    balance: fromMinor(balance),
    equity: equity === null ? null : fromMinor(equity),
    margin: {
      used: value ? fromMinor(value.usedMargin) : null,
      free: value && equity !== null ? fromMinor(equity - value.usedMargin) : null,
    },
    positions: positions.map((p) => positionJson(p, value?.byPosition.get(p.id))),
    orders: orders.map(orderJson),
    outsidePositions: outside.positions,
    outsideOpen: outsideRead.open,
    closed,
    trading,
    tradeSource: account.trade_source,
    tradePlatform: platformOf(account),
  };
}
