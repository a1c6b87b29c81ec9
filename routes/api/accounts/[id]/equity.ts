import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { isoTimeSchema } from "../../../../services/time.ts";
import {
  AUTO_MAX_POINTS,
  readableEquityHistory,
  type Resolution,
  RESOLUTIONS,
} from "../../../../services/trading/equity.ts";

const money = z.string();

export const api = defineApi({
  GET: {
    summary: "Equity history of an account",
    description: "Balance, equity and the daily and max-loss floors over time, for the equity chart: one " +
      "point per bucket of `resolution` (`auto`: the finest giving at most " + AUTO_MAX_POINTS +
      " points), each the bucket's last sample, ascending; plus every breach and pause, and every " +
      "payout withdrawal and its reversal (money moved out and back, not a loss or a profit). Samples are kept at " +
      "most once per second per account. `from`/`to` default to the account's whole life. The owner and " +
      "staff may read it; anyone else gets 404.",
    tags: ["accounts"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    query: z.object({
      from: isoTimeSchema().optional(),
      to: isoTimeSchema().optional(),
      resolution: z.enum(["auto", ...Object.keys(RESOLUTIONS)] as ["auto", ...string[]]).optional(),
    }),
    responses: {
      200: {
        description: "Points and breaches",
        schema: z.object({
          accountId: z.string(),
          currency: z.string(),
          resolution: z.string(),
          points: z.array(z.object({
            time: z.string(),
            balance: money,
            equity: money,
            dailyFloor: money.nullable(),
            maxFloor: money.nullable(),
          })),
          breaches: z.array(z.object({ at: z.string(), rule: z.string(), equity: money })),
          withdrawals: z.array(z.object({
            at: z.string(),
            type: z.enum(["withdrawal", "withdrawal_reversal"]),
            amount: money,
            balance: money.nullable(),
          })),
        }),
      },
      401: { description: "Not signed in" },
      404: { description: "No such account of yours" },
      422: { description: "A malformed range, or too many points for the resolution" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, query, user }) {
    const history = await readableEquityHistory(
      ctx.state.deps.db.sql,
      { ...user, actor: ctx.state.actor },
      params.id,
      {
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        resolution: query.resolution as Resolution | "auto" | undefined,
      },
    );
    return Response.json(history, { headers: { "cache-control": "no-store" } });
  },
});
