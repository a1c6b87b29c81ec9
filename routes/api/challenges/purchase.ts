import { z } from "zod";
import { singleLine } from "../../../lib/text.ts";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { Unprocessable } from "../../../lib/errors.ts";
import { purchase } from "../../../services/commerce/purchase.ts";
import { orderSummarySchema } from "../../../services/commerce/orders.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;

const purchaseInput = z.object({
  planId: z.uuid("must be a plan id"),
  coupon: singleLine().max(64, "is not a valid code").nullable().optional(),
});

const purchaseResult = z.object({
  order: orderSummarySchema,
  challengeId: z.string().nullable().describe("Set when the order was paid at once."),
  accountId: z.string().nullable().describe("The phase-1 account, when the order was paid at once."),
  paymentUrl: z.string().nullable().describe("Where to pay a pending order (may be null)."),
  replayed: z.boolean().describe(
    "True when an earlier request with the same Idempotency-Key placed the order.",
  ),
});

export const api = defineApi({
  POST: {
    summary: "Buy a challenge",
    description:
      "Places an order for the plan's current version. With the demo provider (development) or a " +
      "100 % coupon the order is paid at once and the challenge and its phase-1 account are returned; with " +
      "a real provider the order stays pending until the provider's webhook confirms the payment. Send an " +
      "`Idempotency-Key` header (8–200 visible ASCII characters, e.g. a UUID per purchase attempt) to make " +
      "retries safe: the same key again answers with the first order (200) instead of buying again, and 409 " +
      "if it was used for another plan or coupon; a replay does not count against the purchase rate limit. " +
      "A coupon with limits is held for the order from the moment it is placed until it is paid, or until " +
      "the order expires unpaid (30 minutes), fails or is cancelled; when no use is left the answer is 409 " +
      "`coupon_exhausted`.",
    tags: ["challenges"],
    access: "authenticated",
    body: purchaseInput,
    responses: {
      200: { description: "The order placed earlier with this Idempotency-Key", schema: purchaseResult },
      201: { description: "The order (and, if paid, what it opened)", schema: purchaseResult },
      409: {
        description: "`coupon_exhausted`: no use of the coupon is left (in total, or for this buyer; " +
          "`fields.coupon` says which). `conflict`: the Idempotency-Key was used for a different purchase.",
      },
      404: { description: "No such plan on sale" },
      422: { description: "Invalid input, or a coupon that cannot be used (field `coupon`)" },
      429: { description: "Too many purchases" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, user }) {
    const { deps, actor } = ctx.state;
    const idempotencyKey = ctx.req.headers.get("idempotency-key");
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new Unprocessable("idempotencyKey", "Idempotency-Key must be 8–200 visible ASCII characters");
    }
    const result = await purchase(deps, actor, user.id, { ...body, idempotencyKey });
    // A replay answers with the order the first request with this key placed: nothing new was created.
    return Response.json(result, { status: result.replayed ? 200 : 201 });
  },
});
