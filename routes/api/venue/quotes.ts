import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { tickSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "The latest quote of every symbol",
    description:
      "From the serving process's price book (the feed's latest tick, or the last stored one after a " +
      "restart or while the market is closed). `?symbols=EURUSD,USDJPY` keeps only those.",
    tags: ["venue"],
    access: "public",
    query: z.object({
      symbols: z.string().max(200).regex(/^[A-Z0-9,]*$/, "must be symbols separated by commas").optional(),
    }),
    responses: {
      200: { description: "Quotes, by symbol", schema: z.object({ quotes: z.array(tickSchema) }) },
    },
  },
});

export const handler = define.api(api, {
  GET(ctx, { query }) {
    const wanted = query.symbols ? new Set(query.symbols.split(",").filter(Boolean)) : null;
    const quotes = ctx.state.deps.prices.all().filter((t) => !wanted || wanted.has(t.symbol));
    return Response.json({ quotes }, { headers: { "cache-control": "no-store" } });
  },
});
