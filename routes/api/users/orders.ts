import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { orderListItemSchema, ordersOf } from "../../../services/commerce/orders.ts";

export const api = defineApi({
  GET: {
    summary: "The caller's orders, newest first",
    tags: ["users"],
    access: "authenticated",
    responses: { 200: { description: "Orders", schema: z.object({ orders: z.array(orderListItemSchema) }) } },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json({ orders: await ordersOf(ctx.state.deps.db, user.id) });
  },
});
