import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { venueAccount } from "../../../../../services/venue/account_view.ts";
import { closedTradeSchema, orderSchema, outsidePositionSchema, positionSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "An account on the built-in venue",
    description: "Balance (the engine's), equity and margin at the latest quotes (equity = balance + Σ " +
      "(floating P&L − opening commission); free = equity − used margin), open positions with their " +
      "unrealized P&L in the account currency, pending limit/stop orders, and whether it may trade now " +
      "(`trading.code`: a refusal code). Beside the venue's own book: `outsidePositions`, what an outside " +
      "connector (demo-sync) holds open on the account, newest first (at most 100; `outsideOpen` counts all), " +
      "read-only here and counted in equity at the venue's quotes (equity is null when one cannot be valued); " +
      "and `closed`, the latest 20 closed trades of both sources with their `source`. `tradeSource`: who " +
      "trades the account, fixed by its first trade — `venue`, `connector` (then `trading.code` is " +
      "`platform`: the venue takes no order on it) or null before the first trade; `tradePlatform`: on a " +
      "connector's account, the platform its connector named (`{name, version}`, connector-supplied text), " +
      "else null. The owner only; anyone " +
      "else gets 404.",
    tags: ["venue"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    responses: {
      200: {
        description: "The account",
        schema: z.object({
          accountId: z.string(),
          currency: z.string(),
          status: z.string(),
          balance: z.string(),
          equity: z.string().nullable(),
          margin: z.object({ used: z.string().nullable(), free: z.string().nullable() }),
          positions: z.array(positionSchema),
          orders: z.array(orderSchema),
          outsidePositions: z.array(outsidePositionSchema),
          outsideOpen: z.int(),
          closed: z.array(closedTradeSchema),
          trading: z.object({
            allowed: z.boolean(),
            code: z.string().nullable(),
            reason: z.string().nullable(),
          }),
          tradeSource: z.enum(["venue", "connector"]).nullable(),
          tradePlatform: z.object({ name: z.string(), version: z.string().nullable() }).nullable(),
        }),
      },
      404: { description: "No such account of yours" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, user }) {
    return Response.json(await venueAccount(ctx.state.deps, user.id, params.id));
  },
});
