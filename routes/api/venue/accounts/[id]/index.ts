import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { venueAccount } from "../../../../../services/venue/account_view.ts";
import { orderSchema, positionSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "An account on the built-in venue",
    description: "Balance (the engine's), equity and margin at the latest quotes (equity = balance + Σ " +
      "(floating P&L − opening commission); free = equity − used margin), open positions with their " +
      "unrealized P&L in the account currency, pending limit/stop orders, and whether it may trade now " +
      "(`trading.code`: a refusal code). The owner only; anyone else gets 404.",
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
          trading: z.object({
            allowed: z.boolean(),
            code: z.string().nullable(),
            reason: z.string().nullable(),
          }),
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
