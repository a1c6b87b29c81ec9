/**
 * The JSON of the venue's HTTP API (CONTRACTS #14), for browser code: money and prices are decimal strings,
 * instants epoch ms unless named ISO. Types only (the quote is the venue's own pure type), so islands can name
 * them without pulling server code into the browser. Keep in step with services/venue/account_view.ts (the
 * server's shapes; routes/trade/[accountId].tsx fails to compile if they drift) and routes/api/venue/.
 */
import type { Tick } from "../../services/venue/tick.ts";

/** One quote: the venue's own pure type (services/venue/tick.ts). */
export type TickJson = Tick;

/** What the terminal needs of an instrument (`services/venue/instruments.ts` `Instrument`). */
export interface InstrumentJson {
  symbol: string;
  name: string;
  contractSize: string;
  tickSize: string;
  quoteCurrency: string;
  spread: string;
  /** USD per lot per side. */
  commissionPerLot: string;
  leverage: number;
  /** Whether the market is open now (the server's reading at render time; refusals say so too). */
  open: boolean;
}

/** One 1-minute bar of `GET /api/venue/bars` (time in epoch seconds, oldest first). */
export interface BarJson {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

export type Direction = "buy" | "sell";

/** An open position of `GET /api/venue/accounts/:id`. */
export interface PositionJson {
  id: string;
  symbol: string;
  direction: Direction;
  volume: string;
  openPrice: string;
  openedAt: string;
  sl: string | null;
  tp: string | null;
  /** The opening side's commission, in the account currency (null while a quote it needs is missing). */
  commission: string | null;
  /** Unrealized, in the account currency, at the latest quote the server had (null without one). */
  pnl: string | null;
}

/** A pending (limit or stop) order of `GET /api/venue/accounts/:id`. */
export interface PendingOrderJson {
  id: string;
  symbol: string;
  direction: Direction;
  type: "market" | "limit" | "stop";
  status: "pending" | "filled" | "cancelled" | "rejected";
  volume: string;
  price: string | null;
  sl: string | null;
  tp: string | null;
  createdAt: string;
}

/** A connector's open position and a closed trade of either source (services/venue/trade_json.ts). */
export type { ClosedTradeJson, OutsidePositionJson, TradeSource } from "../../services/venue/trade_json.ts";
import type { ClosedTradeJson, OutsidePositionJson, TradeSource } from "../../services/venue/trade_json.ts";

/** `GET /api/venue/accounts/:id`: the account as the venue trades it. */
export interface VenueAccountJson {
  accountId: string;
  currency: string;
  status: string;
  balance: string;
  /**
   * At the latest quotes: balance + Σ venue (floating P&L − opening commission) + Σ outside floating P&L;
   * null while a quote is missing or an outside position's symbol is not one the venue quotes.
   */
  equity: string | null;
  margin: { used: string | null; free: string | null };
  /** The venue's own open positions: the only ones the terminal can change or close. */
  positions: PositionJson[];
  orders: PendingOrderJson[];
  /** What an outside connector holds open on the account, newest first (at most 100 of `outsideOpen`). */
  outsidePositions: OutsidePositionJson[];
  outsideOpen: number;
  /** The latest closed trades of both sources, newest close first. */
  closed: ClosedTradeJson[];
  trading: { allowed: boolean; code: string | null; reason: string | null };
  /** Who trades the account (fixed by its first trade); `connector`: the ticket is off, `trading` says why. */
  tradeSource: TradeSource | null;
  /** The platform a connector's account is traded on, as its connector named it (null: not named). */
  tradePlatform: { name: string; version: string | null } | null;
}

/** The body of `POST /api/venue/accounts/:id/orders`. */
export interface OrderRequestJson {
  symbol: string;
  direction: Direction;
  type: "market" | "limit" | "stop";
  volume: string;
  price?: string;
  sl?: string;
  tp?: string;
}

/** The error body every API answers with (lib/errors.ts). */
export interface ApiErrorJson {
  error: { code: string; message: string; fields?: Record<string, string> };
}
