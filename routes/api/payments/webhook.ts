import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readText } from "../../../lib/body.ts";
import { ServiceUnavailable } from "../../../lib/errors.ts";
import { parseJson } from "../../../lib/validation.ts";
import { countFailures, RATE_RULES } from "../../../services/rate_limit/rules.ts";
import { PAYMENT_SIGNATURE_HEADER, verifySignature } from "../../../services/commerce/payments/signature.ts";
import {
  handlePaymentEvent,
  parsePaymentEvent,
  paymentEventSchema,
} from "../../../services/commerce/payments/webhook.ts";

const outcomeSchema = z.object({
  result: z.enum(["fulfilled", "already_paid", "coupon_over_limit", "payment_failed", "refunded", "ignored"])
    .describe(
      "`coupon_over_limit`: the payment came after the order's coupon hold lapsed and the coupon has no use " +
        "left; the order is paid but opens nothing and is flagged for a refund.",
    ),
  orderId: z.string().nullable(),
  orderStatus: z.string().nullable(),
  challengeId: z.string().nullable(),
  accountId: z.string().nullable(),
});

export const api = defineApi({
  POST: {
    summary: "Payment provider webhook",
    description:
      "Authenticated by signature, not by a session: header `Payment-Signature: t=<unix seconds>," +
      'v1=<hex HMAC-SHA256(PAYMENT_WEBHOOK_SECRET, t + "." + raw body)>` (several `v1` allowed), at most 5 ' +
      "minutes from the server's clock. Idempotent per event `id`: a re-sent id gets the first outcome and " +
      "changes nothing. `amount` and `currency` must equal the order's. Other event types are acknowledged " +
      "and ignored.",
    tags: ["payments"],
    access: "public",
    rateLimit: "self",
    body: paymentEventSchema,
    rawBody: true,
    responses: {
      200: {
        description: "Handled (or handled before: `duplicate`)",
        schema: z.object({ received: z.literal(true), duplicate: z.boolean(), outcome: outcomeSchema }),
      },
      400: { description: "Not JSON" },
      401: { description: "Missing, stale or wrong signature" },
      404: { description: "No such order" },
      409: { description: "The order cannot take this event" },
      422: { description: "Invalid event, or amount/currency differ from the order's" },
      429: { description: "Too many failed signatures from this address" },
    },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const { deps } = ctx.state;
    const secret = deps.config.paymentWebhookSecret;
    if (!secret) throw new ServiceUnavailable("Payment webhooks are not configured.");
    // The signature covers the exact bytes sent, so the body is read raw and parsed only once it verifies.
    // Provider events are small: the default body limit holds them.
    const raw = await readText(ctx.req);
    await countFailures(
      deps.limiter,
      RATE_RULES.bad_signature_ip,
      ctx.state.actor.ip ?? "unknown",
      () => verifySignature(secret, ctx.req.headers.get(PAYMENT_SIGNATURE_HEADER), raw, Date.now()),
    );
    const { duplicate, outcome } = await handlePaymentEvent(deps, parsePaymentEvent(parseJson(raw)));
    return Response.json({ received: true, duplicate, outcome });
  },
});
