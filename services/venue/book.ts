/**
 * The venue's rows (migration 022): open positions with their SL/TP and pending orders, read in the shapes the
 * order path, the marker and the API share. Numeric columns come back without trailing zeros.
 */
import type { Sql } from "../../db/client.ts";
import { trimDecimal } from "./instruments.ts";
import type { Direction } from "./pnl.ts";

export interface VenuePosition {
  id: string;
  accountId: string;
  /** The engine's trade id (trades.external_id) of the open part. */
  tradeId: string;
  symbol: string;
  direction: Direction;
  volume: string;
  openPrice: string;
  openedAt: Date;
  sl: string | null;
  tp: string | null;
}

export interface VenueOrder {
  id: string;
  accountId: string;
  symbol: string;
  direction: Direction;
  type: "market" | "limit" | "stop";
  volume: string;
  price: string | null;
  sl: string | null;
  tp: string | null;
  status: "pending" | "filled" | "cancelled" | "rejected";
  positionId: string | null;
  fillPrice: string | null;
  reason: string | null;
  createdAt: Date;
}

type PositionRow = {
  id: string;
  account_id: string;
  trade_id: string;
  symbol: string;
  direction: Direction;
  volume: string;
  open_price: string;
  opened_at: Date;
  sl: string | null;
  tp: string | null;
};

/** The columns `orderOf` reads. */
export const ORDER_COLUMNS = [
  "id",
  "account_id",
  "symbol",
  "direction",
  "type",
  "volume",
  "price",
  "sl",
  "tp",
  "status",
  "position_id",
  "fill_price",
  "reason",
  "created_at",
];

export type OrderRow = {
  id: string;
  account_id: string;
  symbol: string;
  direction: Direction;
  type: VenueOrder["type"];
  volume: string;
  price: string | null;
  sl: string | null;
  tp: string | null;
  status: VenueOrder["status"];
  position_id: string | null;
  fill_price: string | null;
  reason: string | null;
  created_at: Date;
};

const trimOrNull = (v: string | null) => (v === null ? null : trimDecimal(v));

export function positionOf(r: PositionRow): VenuePosition {
  return {
    id: r.id,
    accountId: r.account_id,
    tradeId: r.trade_id,
    symbol: r.symbol,
    direction: r.direction,
    volume: trimDecimal(r.volume),
    openPrice: trimDecimal(r.open_price),
    openedAt: r.opened_at,
    sl: trimOrNull(r.sl),
    tp: trimOrNull(r.tp),
  };
}

export function orderOf(r: OrderRow): VenueOrder {
  return {
    id: r.id,
    accountId: r.account_id,
    symbol: r.symbol,
    direction: r.direction,
    type: r.type,
    volume: trimDecimal(r.volume),
    price: trimOrNull(r.price),
    sl: trimOrNull(r.sl),
    tp: trimOrNull(r.tp),
    status: r.status,
    positionId: r.position_id,
    fillPrice: trimOrNull(r.fill_price),
    reason: r.reason,
    createdAt: r.created_at,
  };
}

/** The open positions of the given accounts, oldest first. */
export async function openPositions(sql: Sql, accountIds: readonly string[]): Promise<VenuePosition[]> {
  if (accountIds.length === 0) return [];
  const rows = await sql<PositionRow[]>`
    select id, account_id, trade_id, symbol, direction, volume, open_price, opened_at, sl, tp
    from venue_positions where account_id = any(${accountIds as string[]}) and status = 'open'
    order by opened_at, id`;
  return rows.map(positionOf);
}

/** Pending (limit/stop) orders of the given accounts, or of every account when `accountIds` is null. */
export async function pendingOrders(sql: Sql, accountIds: readonly string[] | null): Promise<VenueOrder[]> {
  const rows = await sql<OrderRow[]>`
    select id, account_id, symbol, direction, type, volume, price, sl, tp, status, position_id, fill_price,
           reason, created_at
    from venue_orders
    where status = 'pending' and ${
    accountIds === null ? sql`true` : sql`account_id = any(${accountIds as string[]})`
  }
    order by created_at, id`;
  return rows.map(orderOf);
}

/** One order of an account (null when it has no such order). */
export async function findOrder(sql: Sql, accountId: string, orderId: string): Promise<VenueOrder | null> {
  const [row] = await sql<OrderRow[]>`
    select id, account_id, symbol, direction, type, volume, price, sl, tp, status, position_id, fill_price,
           reason, created_at
    from venue_orders where account_id = ${accountId} and id = ${orderId}`;
  return row ? orderOf(row) : null;
}

/** The order an Idempotency-Key made on this account, if any. */
export async function orderByKey(sql: Sql, accountId: string, key: string): Promise<VenueOrder | null> {
  const [row] = await sql<OrderRow[]>`
    select id, account_id, symbol, direction, type, volume, price, sl, tp, status, position_id, fill_price,
           reason, created_at
    from venue_orders where account_id = ${accountId} and idempotency_key = ${key}`;
  return row ? orderOf(row) : null;
}
