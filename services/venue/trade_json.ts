/**
 * The JSON of trades the terminal shows besides the venue's own book (services/venue/outside_view.ts): types
 * only and free of imports, so the browser's types (islands/live/venue_types.ts) can name them too.
 */

/** Who a trade came from: the built-in venue, or an outside platform's connector. */
export type TradeSource = "venue" | "connector";

/** An open position an outside connector reported; read-only here (the venue cannot close it). */
export interface OutsidePositionJson {
  /** The platform's own trade id. */
  tradeId: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  openPrice: string;
  openedAt: string;
  /**
   * Unrealized, in the account currency, at the venue's latest quote with the venue's formula (no venue
   * commission: the platform charges its own). Null when the venue does not list the symbol or lacks a quote.
   */
  pnl: string | null;
}

/** A closed trade of either source. */
export interface ClosedTradeJson {
  tradeId: string;
  source: TradeSource;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  entryPrice: string;
  exitPrice: string;
  /** Realized, net of costs, in the account currency. */
  pnl: string;
  openedAt: string;
  closedAt: string;
}
