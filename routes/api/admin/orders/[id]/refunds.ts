import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { Unprocessable } from "../../../../../lib/errors.ts";
import { rolesWith } from "../../../../../services/auth/roles.ts";
import { refundInput, refundOrder } from "../../../../../services/commerce/refunds.ts";
import { refundSchema } from "../../../../../services/commerce/refund_queries.ts";

const outcomeSchema = z.object({
  refund: refundSchema,
  replayed: z.boolean(),
  orderStatus: z.string(),
  refundable: z.string(),
  closedAccounts: z.array(z.string()),
});

export const api = defineApi({
  POST: {
    summary: "Refund an order, in full or in part, through its payment provider (admin)",
    description: '`{"reason":"…"}` refunds everything not yet refunded; `{"amount":"49.00","reason":"…"}` ' +
      "part of it. The same idempotency key (`Idempotency-Key` header or `idempotencyKey`) on the same order " +
      "answers 200 with the first refund and moves no more money. A full refund (everything paid back, once " +
      "the provider confirms) cancels the challenge the order bought and closes its accounts; a partial one " +
      "leaves them. The demo provider refunds at once; the webhook provider's refunds stay `pending` until " +
      "its `refund.succeeded` event. Audited.",
    tags: ["admin"],
    access: rolesWith("orders.refund"),
    params: z.object({ id: z.uuid("No such order.") }),
    body: refundInput,
    responses: {
      200: { description: "The refund an earlier request with this key made", schema: outcomeSchema },
      201: { description: "The refund", schema: outcomeSchema },
      404: { description: "No such order" },
      409: { description: "Not paid, nothing left to refund, more than is left, or a key reused" },
      422: { description: "Invalid amount, reason or key" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    const header = ctx.req.headers.get("idempotency-key");
    if (header !== null && !/^[\x21-\x7e]{8,200}$/.test(header)) {
      throw new Unprocessable("Idempotency-Key", "must be 8–200 visible ASCII characters");
    }
    const outcome = await refundOrder(deps, actor, params.id, {
      ...body,
      idempotencyKey: body.idempotencyKey ?? header ?? undefined,
    });
    return Response.json(outcome, {
      status: outcome.replayed ? 200 : 201,
      headers: { location: `/api/admin/orders/${params.id}` },
    });
  },
});
