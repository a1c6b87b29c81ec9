import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { Unprocessable } from "../../../../lib/errors.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminOrderSchema, listOrders } from "../../../../services/commerce/order_admin.ts";
import { orderListQuery } from "../../../../services/commerce/order_filters.ts";
import { rangeOf } from "../../../../services/trading/filters.ts";

export const api = defineApi({
  GET: {
    summary: "Every order, newest first (staff)",
    description:
      "Filters: `status`, `planId`, `coupon` (code), `email` (part of the buyer's email), `from`/`to` " +
      "(created; ISO-8601 or a UTC date, `to` including its day), `flagged=true` (orders staff must act on). " +
      "Keyset pages: `cursor` = the previous page's `nextCursor`.",
    tags: ["admin"],
    access: rolesWith("orders.read"),
    query: orderListQuery,
    responses: {
      200: {
        description: "A page of orders",
        schema: z.object({ items: z.array(adminOrderSchema), nextCursor: z.string().nullable() }),
      },
      400: { description: "A cursor that is not from this list" },
      422: { description: "Invalid filters" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query }) {
    const { from, to } = rangeOf(query, "UTC");
    if (from && to && +from >= +to) throw new Unprocessable("to", "must be after from");
    const page = await listOrders(ctx.state.deps.db.sql, { ...query, from, to });
    return Response.json(page, { headers: { "cache-control": "no-store" } });
  },
});
