import { z } from "zod";
import { define } from "../../../../../_define.ts";
import { defineApi } from "../../../../../../lib/api.ts";
import { cancelOrder } from "../../../../../../services/venue/orders.ts";
import { orderJson } from "../../../../../../services/venue/account_view.ts";
import { orderSchema } from "../_schemas.ts";

export const api = defineApi({
  DELETE: {
    summary: "Cancel a pending order",
    tags: ["venue"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account."), orderId: z.uuid("No such order.") }),
    responses: {
      200: { description: "The cancelled order", schema: z.object({ order: orderSchema }) },
      404: { description: "No such order of yours" },
      409: { description: "The order was already filled, cancelled or rejected" },
    },
  },
});

export const handler = define.api(api, {
  async DELETE(ctx, { params, user }) {
    const order = await cancelOrder(ctx.state.deps, user.id, params.id, params.orderId);
    return Response.json({ order: orderJson(order) });
  },
});
