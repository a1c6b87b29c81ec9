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

export const REFUSALS = "`market_closed` (with when it opens), `insufficient_margin` (with the figures), " +
  "`account_paused` (until when), `self_locked` (the trader's own lock, until when), `not_trading` (the " +
  "account has ended or not started), `no_price`";
