/**
 * What the terminal shows of an account besides its venue book: positions an outside connector opened
 * (`POST /api/trading/demo-sync`) and the latest closed trades of both sources (DESIGN §3.5: a trade on the
 * venue and one from a connector are judged identically, so a trader whose account both feed sees both).
 *
 * Where each lives: every trade the engine judged, from either source, is a `trades` row and, while open, a
 * position in `accounts.engine_state`; a venue trade is also a `venue_positions` row naming it by `trade_id`
 * (= trades.external_id). So an open position is the venue's exactly when an open venue position names its
 * trade, and the connector's otherwise. A closed trade may have lost that link — a partial close moves the
 * venue position on to a new trade (services/venue/settle.ts) — so there the venue's trade-id shape decides
 * (`newTradeId`, checked against `isVenueTradeId` in the test beside this module). Open ones are read from
 * `trades` rather than the engine state, in one statement with the venue positions that name them.
 */
import type { Sql } from "../../db/client.ts";
import { fromMinor } from "../money.ts";
import type { Instrument } from "./instruments.ts";
import { trimDecimal } from "./instruments.ts";
import { type Quotes, valuePosition } from "./valuation.ts";
import type { ClosedTradeJson, OutsidePositionJson } from "./trade_json.ts";

export type { ClosedTradeJson, OutsidePositionJson, TradeSource } from "./trade_json.ts";

/** The most outside positions one view lists (newest first); `open` still counts them all. */
export const MAX_OUTSIDE_POSITIONS = 100;
/** Closed trades in the terminal's short history; the full history is /dashboard/history. */
export const RECENT_CLOSED = 20;

const VENUE_TRADE_ID = /^V-[0-9a-f]{16}$/;

/** Whether `tradeId` has the shape of the venue's own trade ids (services/venue/settle.ts `newTradeId`). */
export function isVenueTradeId(tradeId: string): boolean {
  return VENUE_TRADE_ID.test(tradeId);
}

/** An open trade no open venue position names, as read (not valued yet). */
export interface OutsideOpen {
  tradeId: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  openPrice: string;
  openedAt: Date;
}

/**
 * The account's open trades that no open venue position names, newest first, at most
 * `MAX_OUTSIDE_POSITIONS` of them, and how many there are in all. One statement, so a venue fill committing
 * meanwhile is seen whole or not at all (never as a connector's position for a moment).
 */
export async function outsideOpen(
  sql: Sql,
  accountId: string,
): Promise<{ rows: OutsideOpen[]; open: number }> {
  const rows = await sql<{
    external_id: string;
    symbol: string;
    direction: "buy" | "sell";
    volume: string;
    entry_price: string;
    opened_at: Date;
    open: number;
  }[]>`
    select t.external_id, t.symbol, t.direction, t.volume, t.entry_price, t.opened_at,
           count(*) over ()::int as open
    from trades t
    where t.account_id = ${accountId} and t.status = 'open'
      and not exists (select 1 from venue_positions v
                      where v.account_id = t.account_id and v.trade_id = t.external_id and v.status = 'open')
    order by t.opened_at desc, t.id desc
    limit ${MAX_OUTSIDE_POSITIONS}`;
  return {
    open: rows[0]?.open ?? 0,
    rows: rows.map((r) => ({
      tradeId: r.external_id,
      symbol: r.symbol,
      direction: r.direction,
      volume: trimDecimal(r.volume),
      openPrice: trimDecimal(r.entry_price),
      openedAt: r.opened_at,
    })),
  };
}

/**
 * Values outside positions at `quotes` with the venue's formula where the venue lists the symbol. `floating`
 * (minor units, Σ P&L) is null when one of them cannot be valued.
 */
export function valueOutside(
  rows: readonly OutsideOpen[],
  instruments: ReadonlyMap<string, Instrument>,
  quotes: Quotes,
  currency: string,
): { positions: OutsidePositionJson[]; floating: bigint | null } {
  let floating: bigint | null = 0n;
  const positions = rows.map((p) => {
    const instrument = instruments.get(p.symbol);
    const value = instrument ? valuePosition(p, instrument, quotes, currency) : null;
    floating = value && floating !== null ? floating + value.pnl : null;
    return { ...p, openedAt: p.openedAt.toISOString(), pnl: value ? fromMinor(value.pnl) : null };
  });
  return { positions, floating };
}

/** The account's latest `RECENT_CLOSED` closed trades, newest close first, each with its source. */
export async function recentClosed(sql: Sql, accountId: string): Promise<ClosedTradeJson[]> {
  // Served by trades_account_closed_idx scanned backwards; `limit` bounds it however long the history.
  const rows = await sql<{
    external_id: string;
    symbol: string;
    direction: "buy" | "sell";
    volume: string;
    entry_price: string;
    exit_price: string;
    pnl: string;
    opened_at: Date;
    closed_at: Date;
    venue: boolean;
  }[]>`
    select t.external_id, t.symbol, t.direction, t.volume, t.entry_price, t.exit_price, t.pnl, t.opened_at,
           t.closed_at,
           exists (select 1 from venue_positions v
                   where v.account_id = t.account_id and v.trade_id = t.external_id) as venue
    from trades t
    where t.account_id = ${accountId} and t.status = 'closed'
    order by t.closed_at desc, t.id desc
    limit ${RECENT_CLOSED}`;
  return rows.map((r) => ({
    tradeId: r.external_id,
    source: r.venue || isVenueTradeId(r.external_id) ? "venue" : "connector",
    symbol: r.symbol,
    direction: r.direction,
    volume: trimDecimal(r.volume),
    entryPrice: trimDecimal(r.entry_price),
    exitPrice: trimDecimal(r.exit_price),
    pnl: r.pnl,
    openedAt: r.opened_at.toISOString(),
    closedAt: r.closed_at.toISOString(),
  }));
}
