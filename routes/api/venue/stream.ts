import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { Unprocessable } from "../../../lib/errors.ts";
import { STREAM_HEADERS } from "../../../services/accounts/stream.ts";
import { listInstruments } from "../../../services/venue/instruments.ts";
import { COALESCE_MS, openPriceStream } from "../../../services/venue/price_stream.ts";

export const api = defineApi({
  GET: {
    summary: "Live ticks of some symbols (Server-Sent Events)",
    description: "`?symbols=EURUSD,USDJPY` (active instruments, at most 20). First `event: ticks` with the " +
      "latest quote of each, then `event: ticks` / `data: Tick[]` with each symbol's newest tick, coalesced " +
      `(at most one frame per ${COALESCE_MS} ms; a slow reader gets the newest prices, not a backlog), and ` +
      "`: hb` comments every 15 s. Ends with its session and counts against the stream caps (10 per user, " +
      "50 per address and server process; then 429 `too_many_streams`).",
    tags: ["venue"],
    access: "authenticated",
    query: z.object({
      symbols: z.string().min(1, "name at least one symbol").max(300)
        .regex(/^[A-Z0-9]{3,12}(,[A-Z0-9]{3,12}){0,19}$/, "must be up to 20 symbols separated by commas"),
    }),
    responses: {
      200: { description: "The event stream (text/event-stream)" },
      401: { description: "Not signed in" },
      422: { description: "Unknown or malformed symbols" },
      429: { description: "The user or the address already holds as many open streams as allowed" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const { deps } = ctx.state;
    const symbols = [...new Set(query.symbols.split(","))];
    const known = new Set((await listInstruments(deps.db.sql, { activeOnly: true })).map((i) => i.symbol));
    const unknown = symbols.filter((s) => !known.has(s));
    if (unknown.length) throw new Unprocessable("symbols", `not active instruments: ${unknown.join(", ")}`);
    if (ctx.req.method === "HEAD") return new Response(null, { headers: STREAM_HEADERS });
    const body = await openPriceStream(deps, {
      symbols,
      owner: { sessionId: user.sessionId, userId: user.id, role: user.role, ip: ctx.state.actor.ip },
    });
    return new Response(body, { headers: STREAM_HEADERS });
  },
});
