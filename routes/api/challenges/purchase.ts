import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readJson } from "../../../lib/validation.ts";
import { purchase } from "../../../services/commerce/purchase.ts";
import { orderSummarySchema } from "../../../services/commerce/orders.ts";

const purchaseInput = z.object({
  planId: z.uuid("must be a plan id"),
  coupon: z.string().max(64, "is not a valid code").nullable().optional(),
});

const purchaseResult = z.object({
  order: orderSummarySchema,
  challengeId: z.string().nullable().describe("Set when the order was paid at once."),
  accountId: z.string().nullable().describe("The phase-1 account, when the order was paid at once."),
  paymentUrl: z.string().nullable().describe("Where to pay a pending order (may be null)."),
});

export const api = defineApi({
  POST: {
    summary: "Buy a challenge",
    description:
      "Places an order for the plan's current version. With the demo provider (development) or a " +
      "100 % coupon the order is paid at once and the challenge and its phase-1 account are returned; with " +
      "a real provider the order stays pending until the provider's webhook confirms the payment.",
    tags: ["challenges"],
    access: "authenticated",
    body: purchaseInput,
    responses: {
      201: { description: "The order (and, if paid, what it opened)", schema: purchaseResult },
      404: { description: "No such plan on sale" },
      422: { description: "Invalid input, or a coupon that cannot be used (field `coupon`)" },
      429: { description: "Too many purchases" },
    },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const input = await readJson(ctx.req, purchaseInput);
    return Response.json(await purchase(deps, actor, user!.id, input), { status: 201 });
  },
});
