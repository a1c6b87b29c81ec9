import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { Unprocessable } from "../../../lib/errors.ts";
import { listPayouts } from "../../../services/payouts/queries.ts";
import { IDEMPOTENCY_KEY, payoutRequestInput, requestPayout } from "../../../services/payouts/requests.ts";
import { payoutSchema, traderView } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "Your payouts, newest first",
    tags: ["payouts"],
    access: "authenticated",
    query: z.object({
      accountId: z.uuid("must be an account id").optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    responses: {
      200: {
        description: "A page of payouts",
        schema: z.object({ items: z.array(payoutSchema), nextCursor: z.string().nullable() }),
      },
    },
  },
  POST: {
    summary: "Request a payout from a funded account",
    description:
      "`amount` is the gross profit withdrawn (at most the profit = balance − initial balance); you receive " +
      "floor(amount × split %) to the cent, which must reach the plan's minimum payout. The amount leaves " +
      "the account's balance at once (a withdrawal, not a loss: the daily-loss anchor and trailing " +
      "high-water mark drop with it) and comes back if staff reject the request. Needs a step-up within " +
      "5 minutes (POST /api/auth/reauth: a 2FA code when 2FA is on, else the password) and an " +
      "`Idempotency-Key` header (1–200 visible ASCII characters): the same key again answers 200 with the " +
      "first request. One open request per account; the conditions are those of GET /api/payouts/readiness.",
    tags: ["payouts"],
    access: "authenticated",
    body: payoutRequestInput,
    responses: {
      200: {
        description: "The payout an earlier request with this Idempotency-Key made",
        schema: payoutSchema,
      },
      201: { description: "The payout, pending review", schema: payoutSchema },
      403: { description: "`step_up_required`: confirm with POST /api/auth/reauth first" },
      404: { description: "No such account of yours" },
      409: { description: "A condition of the readiness list is not met (the message says which)" },
      422: { description: "Missing Idempotency-Key, a key used for another request, or a wrong amount" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const page = await listPayouts(ctx.state.deps.db.sql, { ...query, userId: user.id });
    return Response.json({ items: page.items.map(traderView), nextCursor: page.nextCursor });
  },
  async POST(ctx, { body, user }) {
    const { deps, actor } = ctx.state;
    const key = ctx.req.headers.get("idempotency-key");
    if (key === null || !IDEMPOTENCY_KEY.test(key)) {
      throw new Unprocessable(
        "Idempotency-Key",
        "send an Idempotency-Key header of 1–200 visible ASCII characters",
      );
    }
    const { payout, replayed } = await requestPayout(deps, user, body, key, actor);
    return Response.json(traderView(payout), {
      status: replayed ? 200 : 201,
      headers: { location: `/api/payouts?accountId=${payout.accountId}` },
    });
  },
});
