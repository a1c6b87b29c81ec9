import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { flaggedOrders, flaggedOrderSchema } from "../../../../services/commerce/orders.ts";

export const api = defineApi({
  GET: {
    summary: "Orders that need staff, newest first",
    description:
      "`coupon_over_limit`: a payment arrived after the order's coupon hold lapsed and the coupon " +
      "had no use left, so the order opened nothing. While its status is `paid`, refund it through the " +
      "provider (its `refund.succeeded` event moves the order to `refunded`).",
    tags: ["admin"],
    // Whoever reviews money going back to traders.
    access: rolesWith("orders.read"),
    responses: {
      200: { description: "Flagged orders", schema: z.object({ orders: z.array(flaggedOrderSchema) }) },
    },
  },
});

export const handler = define.handlers({
  async GET(ctx) {
    return Response.json({ orders: await flaggedOrders(ctx.state.deps.db) });
  },
});
