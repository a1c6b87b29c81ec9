import { z } from "zod";
import { define } from "../../../../../_define.ts";
import { defineApi } from "../../../../../../lib/api.ts";
import { Unprocessable } from "../../../../../../lib/errors.ts";
import { IDEMPOTENCY_KEY } from "../../../../../../services/payouts/requests.ts";
import { orderInput } from "../../../../../../services/venue/order_input.ts";
import { assertOwner, placeOrder } from "../../../../../../services/venue/orders.ts";
import { orderJson, positionJson } from "../../../../../../services/venue/account_view.ts";
import { orderSchema, positionSchema, REFUSALS } from "../_schemas.ts";

const placed = z.object({ order: orderSchema, position: positionSchema.nullable() });

export const api = defineApi({
  POST: {
    summary: "Place an order on the built-in venue",
    description: "A `market` order fills at once (a buy at the ask, a sell at the bid) through the rule " +
      "engine, exactly like a demo-sync trade; a `limit` or `stop` order (`price` required) waits until a " +
      "tick reaches it. `sl`/`tp` protect the position. Needs an `Idempotency-Key` header (1–200 visible " +
      "ASCII characters): the same key again answers 200 with the first order. Refusals are 409 with a " +
      `code: ${REFUSALS}. The owner only; anyone else gets 404.`,
    tags: ["venue"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    body: orderInput,
    responses: {
      200: { description: "The order an earlier request with this Idempotency-Key made", schema: placed },
      201: { description: "The order (filled, with its position, or pending)", schema: placed },
      404: { description: "No such account of yours" },
      409: { description: "Refused, with the reason's code and a sentence" },
      422: { description: "Bad input (unknown symbol, SL/TP on the wrong side, missing Idempotency-Key)" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, params, user }) {
    const key = ctx.req.headers.get("idempotency-key");
    if (key === null || !IDEMPOTENCY_KEY.test(key)) {
      // Ownership first: another's account is a 404 whatever else is wrong with the request. (With a good key,
      // placeOrder checks ownership itself, in the same round trip as the key's lookup.)
      await assertOwner(ctx.state.deps.db.sql, user.id, params.id);
      throw new Unprocessable(
        "Idempotency-Key",
        "send an Idempotency-Key header of 1–200 visible ASCII characters",
      );
    }
    const { order, position, replayed } = await placeOrder(ctx.state.deps, user.id, params.id, body, key);
    return Response.json(
      { order: orderJson(order), position: position ? positionJson(position) : null },
      { status: replayed ? 200 : 201 },
    );
  },
});
