/** Response shapes of the venue's price API (documentation; data from services/venue/). */
import { z } from "zod";
import { type InstrumentRecord, marketOpen, nextOpen } from "../../../services/venue/instruments.ts";

export const tickSchema = z.object({
  symbol: z.string(),
  bid: z.string(),
  ask: z.string(),
  at: z.int().describe("Epoch milliseconds."),
});

const hours = z.union([
  z.literal("24/7"),
  z.object({
    timeZone: z.string(),
    open: z.string().describe("HH:MM local time a session opens."),
    close: z.string().describe(
      "HH:MM local time it closes: the same day when later than open, else the next.",
    ),
    days: z.array(z.int()).describe("ISO weekdays (1 = Monday … 7 = Sunday) on which a session opens."),
  }),
]);

export const instrumentSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  contractSize: z.string().describe("Units per lot (100000 FX, 100 oz gold, 1 per index point or bitcoin)."),
  tickSize: z.string(),
  quoteCurrency: z.string(),
  spread: z.string().describe("Typical ask − bid, in price units."),
  commissionPerLot: z.string().describe("USD per lot per side."),
  leverage: z.int().describe("100 means 1:100."),
  volatility: z.string(),
  hours,
  active: z.boolean(),
  open: z.boolean().describe("Whether the market is open now."),
  nextOpen: z.string().nullable().describe("ISO instant it next opens (now when open; null if never)."),
});

export const adminInstrumentSchema = instrumentSchema.extend({
  referencePrice: z.string().describe("Where the simulated feed starts without an earlier price."),
  updatedAt: z.string(),
});

/** The public JSON of an instrument, with whether it is open at `now`. */
export function instrumentJson(i: InstrumentRecord, now: Date) {
  return {
    symbol: i.symbol,
    name: i.name,
    contractSize: i.contractSize,
    tickSize: i.tickSize,
    quoteCurrency: i.quoteCurrency,
    spread: i.spread,
    commissionPerLot: i.commissionPerLot,
    leverage: i.leverage,
    volatility: i.volatility,
    hours: i.hours,
    active: i.active,
    open: marketOpen(i, now),
    nextOpen: nextOpen(i, now)?.toISOString() ?? null,
  };
}

/** The staff JSON: the public one plus the simulator's reference price and the last change. */
export function adminInstrumentJson(i: InstrumentRecord, now: Date) {
  return {
    ...instrumentJson(i, now),
    referencePrice: i.referencePrice,
    updatedAt: i.updatedAt.toISOString(),
  };
}
