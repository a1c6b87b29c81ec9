import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { NotFound } from "../../../../lib/errors.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminOrderSchema, orderDetail } from "../../../../services/commerce/order_admin.ts";
import { refundSchema } from "../../../../services/commerce/refund_queries.ts";

export const api = defineApi({
  GET: {
    summary:
      "One order (staff): what it bought, coupon, payment, the challenge and accounts it opened, refunds",
    tags: ["admin"],
    access: rolesWith("orders.read"),
    params: z.object({ id: z.uuid("No such order.") }),
    responses: {
      200: {
        description: "The order",
        schema: z.object({
          order: adminOrderSchema,
          coupon: z.object({ code: z.string(), kind: z.string(), value: z.string() }).nullable(),
          challenge: z.object({ id: z.string(), status: z.string() }).nullable(),
          accounts: z.array(z.object({
            id: z.string(),
            type: z.string(),
            phase: z.number().nullable(),
            status: z.string(),
            trades: z.number(),
          })),
          refunds: z.array(refundSchema),
          refundable: z.string().describe("What can still be refunded"),
        }),
      },
      404: { description: "No such order" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params }) {
    const detail = await orderDetail(ctx.state.deps.db.sql, params.id);
    if (!detail) throw new NotFound("No such order.");
    return Response.json(detail, { headers: { "cache-control": "no-store" } });
  },
});
