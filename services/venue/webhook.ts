/**
 * Price batches from the operator's own feed (PRICE_FEED=webhook, `POST /api/venue/prices`, signed like
 * demo-sync). Any process may take a batch: it validates every tick against its instrument, stores the batch
 * (a tick already stored — a replayed or overlapping batch — is a duplicate, not applied twice) and publishes
 * the new ticks on the bus, from which every process's PriceBook takes them.
 */
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { PRICE_TICKS_CHANNEL } from "../bus/channels.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { compareDecimal, isDecimal, onGrid } from "./decimal.ts";
import { listInstruments } from "./instruments.ts";
import type { Tick } from "./price_book.ts";
import { storeTicks } from "./tick_store.ts";
import { TICK_RETENTION_MS } from "./retention.ts";

export const MAX_PRICE_BATCH = 1000;
/** How far ahead of the server's clock a tick may be stamped (clock skew), as for demo-sync. */
const MAX_AHEAD_MS = 5 * 60_000;

const price = z.string().max(24).refine(isDecimal, 'must be a decimal string, e.g. "1.08512"');

export const priceBatchSchema = z.object({
  ticks: z.array(z.object({
    symbol: z.string().max(12),
    bid: price,
    ask: price,
    at: z.int("must be epoch milliseconds").min(0),
  })).min(1, "send at least one tick").max(MAX_PRICE_BATCH, `at most ${MAX_PRICE_BATCH} ticks per batch`),
});

export interface PriceBatchResult {
  accepted: number;
  duplicates: number;
}

/** Validates the whole batch (nothing is stored from a batch with one bad tick), stores and publishes it. */
export async function acceptPriceBatch(
  deps: Pick<Deps, "db" | "bus">,
  raw: unknown,
  opts: { now?: Date; channel?: string } = {},
): Promise<PriceBatchResult> {
  const { ticks } = validate(priceBatchSchema, raw);
  const now = (opts.now ?? new Date()).getTime();
  const instruments = new Map(
    (await listInstruments(deps.db.sql, { activeOnly: true })).map((i) => [i.symbol, i]),
  );
  const fields: Record<string, string> = {};
  ticks.forEach((t, i) => {
    const instrument = instruments.get(t.symbol);
    if (!instrument) fields[`ticks.${i}.symbol`] = "is not an active instrument";
    else if (!onGrid(t.bid, instrument.tickSize)) {
      fields[`ticks.${i}.bid`] = `must be on the tick grid ${instrument.tickSize}`;
    } else if (!onGrid(t.ask, instrument.tickSize)) {
      fields[`ticks.${i}.ask`] = `must be on the tick grid ${instrument.tickSize}`;
    } else if (compareDecimal(t.ask, t.bid) < 0) fields[`ticks.${i}.ask`] = "must be at least the bid";
    else if (compareDecimal(t.bid, "0") <= 0) fields[`ticks.${i}.bid`] = "must be greater than 0";
    if (t.at > now + MAX_AHEAD_MS) {
      fields[`ticks.${i}.at`] ??= "is more than 5 minutes ahead of the server's clock";
    }
    if (t.at < now - TICK_RETENTION_MS) {
      fields[`ticks.${i}.at`] ??= "is older than the 24 hours ticks are kept";
    }
  });
  if (Object.keys(fields).length) throw new Unprocessable(fields);
  const sorted: Tick[] = ticks.toSorted((a, b) => a.at - b.at);
  const fresh = await deps.db.tx((tx) => storeTicks(tx, sorted));
  if (fresh.length) await deps.bus.publish(opts.channel ?? PRICE_TICKS_CHANNEL, { ticks: fresh });
  return { accepted: fresh.length, duplicates: ticks.length - fresh.length };
}
