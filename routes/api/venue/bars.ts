import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { NotFound, Unprocessable } from "../../../lib/errors.ts";
import { instrumentBySymbol } from "../../../services/venue/instruments.ts";
import { type Bar, storedBars } from "../../../services/venue/tick_store.ts";
import { compareDecimal } from "../../../services/venue/decimal.ts";

const MAX_BARS = 5000;
const DEFAULT_BARS = 500;

const bar = z.object({
  time: z.int().describe("Epoch seconds of the minute's start."),
  open: z.string(),
  high: z.string(),
  low: z.string(),
  close: z.string(),
});

const epochSeconds = z.coerce.number("must be epoch seconds").int("must be epoch seconds").min(0).max(1e11);

export const api = defineApi({
  GET: {
    summary: "1-minute bars of one symbol",
    description:
      "Bars of the bid, oldest first, with `from` ≤ time ≤ `to` (epoch seconds; default the last " +
      `day up to now), the latest \`limit\` of them (default ${DEFAULT_BARS}, at most ${MAX_BARS}). The current ` +
      "minute's bar is included as it stands (from the serving process's ticks). Bars are kept 90 days.",
    tags: ["venue"],
    access: "public",
    query: z.object({
      symbol: z.string().regex(/^[A-Z0-9]{3,12}$/, "must be a symbol such as EURUSD"),
      from: epochSeconds.optional(),
      to: epochSeconds.optional(),
      limit: z.coerce.number("must be a whole number").int("must be a whole number").min(1).max(MAX_BARS)
        .default(DEFAULT_BARS),
    }),
    responses: {
      200: { description: "Bars", schema: z.object({ symbol: z.string(), bars: z.array(bar) }) },
      404: { description: "No such instrument" },
      422: { description: "Bad symbol, range or limit" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query }) {
    const { deps } = ctx.state;
    const now = Math.floor(Date.now() / 1000);
    const to = query.to ?? now;
    const from = query.from ?? to - 86_400;
    if (from > to) throw new Unprocessable("from", "must not be after to");
    if (!await instrumentBySymbol(deps.db.sql, query.symbol)) throw new NotFound("No such instrument.");
    const bars = await storedBars(deps.db.sql, { symbol: query.symbol, from, to, limit: query.limit });
    const live = deps.prices.currentBar(query.symbol);
    if (live && live.time >= from && live.time <= to) mergeLive(bars, live, query.limit);
    return Response.json({ symbol: query.symbol, bars }, { headers: { "cache-control": "no-store" } });
  },
});

/** Folds the in-memory current minute into the stored bars (the store is about a second behind). */
function mergeLive(bars: Bar[], live: Bar, limit: number): void {
  const last = bars.at(-1);
  if (last && last.time === live.time) {
    if (compareDecimal(live.high, last.high) > 0) last.high = live.high;
    if (compareDecimal(live.low, last.low) < 0) last.low = live.low;
    last.close = live.close;
  } else if (!last || last.time < live.time) {
    bars.push(live);
    if (bars.length > limit) bars.shift();
  }
}
