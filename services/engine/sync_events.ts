import { z } from "zod";
import { singleLine } from "../../lib/text.ts";
import { MONEY_MAX, moneySchema } from "../money.ts";
import { isoTimeSchema } from "../time.ts";
import type { EngineEvent } from "./state.ts";

/**
 * The trade/equity events of DESIGN §4 as they arrive from a trading-platform connector (or the what-if
 * simulator): each with a unique `id` and an ISO-8601 `at`. Money has at most 2 decimals; prices and
 * volumes keep the precision of the database columns.
 */
const money = moneySchema({ min: `-${MONEY_MAX}` });
const positive = (places: number, digits: number) =>
  z.string().regex(new RegExp(`^\\d{1,${digits}}(\\.\\d{1,${places}})?$`), `must be a positive decimal`)
    .refine((v) => Number(v) > 0, "must be greater than 0");
const at = isoTimeSchema();
const id = singleLine().trim().min(1).max(100);

export const syncEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("trade_open"),
    id,
    at,
    tradeId: id,
    symbol: singleLine().trim().min(1).max(20),
    direction: z.enum(["buy", "sell"]),
    volume: positive(5, 10),
    price: positive(8, 12),
  }),
  z.object({ type: z.literal("trade_close"), id, at, tradeId: id, price: positive(8, 12), pnl: money }),
  z.object({
    type: z.literal("equity"),
    id,
    at,
    equity: money,
    balance: money,
    // The price tick that produced this mark (the built-in venue re-marks on every tick): carried into the
    // breach evidence's cause, so the evidence names the tick (and its inputsHash covers it).
    symbol: singleLine().trim().min(1).max(20).optional(),
    bid: positive(8, 12).optional(),
    ask: positive(8, 12).optional(),
    tickAt: at.optional(),
  }),
]);

export type SyncEvent = z.infer<typeof syncEventSchema>;

/** A validated sync event → the engine's event (epoch-ms time, no id). */
export function toEngineEvent(event: SyncEvent): EngineEvent {
  const at = Date.parse(event.at);
  switch (event.type) {
    case "trade_open":
      return {
        type: "trade_open",
        tradeId: event.tradeId,
        symbol: event.symbol,
        direction: event.direction,
        volume: event.volume,
        price: event.price,
        at,
      };
    case "trade_close":
      return { type: "trade_close", tradeId: event.tradeId, price: event.price, pnl: event.pnl, at };
    case "equity": {
      const mark = { type: "equity" as const, equity: event.equity, balance: event.balance, at };
      const { symbol, bid, ask, tickAt } = event;
      // Only a mark that names its tick carries the fields: an absent field must not appear in the hash.
      return symbol && bid && ask && tickAt ? { ...mark, symbol, bid, ask, tickAt } : mark;
    }
  }
}
