import { z } from "zod";

const decimal = z.string();

export const positionSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  direction: z.enum(["buy", "sell"]),
  volume: decimal,
  openPrice: decimal,
  openedAt: z.string(),
  sl: decimal.nullable(),
  tp: decimal.nullable(),
  commission: decimal.nullable(),
  pnl: decimal.nullable(),
});

export const outsidePositionSchema = z.object({
  tradeId: z.string().describe("The platform's own trade id"),
  symbol: z.string(),
  direction: z.enum(["buy", "sell"]),
  volume: decimal,
  openPrice: decimal,
  openedAt: z.string(),
  pnl: decimal.nullable().describe(
    "Unrealized at the venue's latest quote (no venue commission); null when the venue does not quote the symbol",
  ),
});

export const closedTradeSchema = z.object({
  tradeId: z.string(),
  source: z.enum(["venue", "connector"]).describe("The built-in venue, or an outside platform's connector"),
  symbol: z.string(),
  direction: z.enum(["buy", "sell"]),
  volume: decimal,
  entryPrice: decimal,
  exitPrice: decimal,
  pnl: decimal.describe("Realized, net of costs"),
  openedAt: z.string(),
  closedAt: z.string(),
});

export const orderSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  direction: z.enum(["buy", "sell"]),
  type: z.enum(["market", "limit", "stop"]),
  status: z.enum(["pending", "filled", "cancelled", "rejected"]),
  volume: decimal,
  price: decimal.nullable(),
  sl: decimal.nullable(),
  tp: decimal.nullable(),
  fillPrice: decimal.nullable(),
  positionId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});

export const REFUSALS = "`platform` (the account is traded through an outside platform's connector: its " +
  "first trade came from demo-sync), `market_closed` (with when it opens), `insufficient_margin` (with the figures), " +
  "`account_paused` (until when), `self_locked` (the trader's own lock, until when), `not_trading` (the " +
  "account has ended or not started), `no_price`";
