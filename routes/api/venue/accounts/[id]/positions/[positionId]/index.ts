import { z } from "zod";
import { define } from "../../../../../../_define.ts";
import { defineApi } from "../../../../../../../lib/api.ts";
import { protectionInput } from "../../../../../../../services/venue/order_input.ts";
import { protectPosition } from "../../../../../../../services/venue/positions.ts";
import { positionJson } from "../../../../../../../services/venue/account_view.ts";
import { positionSchema } from "../../_schemas.ts";

export const api = defineApi({
  PATCH: {
    summary: "Set a position's stop-loss and take-profit",
    description: "`sl` and `tp` (null clears one) must be on the protecting side of the current mark (a " +
      "buy's SL below the bid, TP above it; a sell's the other way round). A tick reaching one closes the " +
      "position at that tick's price.",
    tags: ["venue"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account."), positionId: z.uuid("No such position.") }),
    body: protectionInput,
    responses: {
      200: { description: "The position", schema: z.object({ position: positionSchema }) },
      404: { description: "No such open position of yours" },
      409: { description: "`no_price`; `conflict`: the position was closed while the request was answered" },
      422: { description: "SL/TP on the wrong side" },
    },
  },
});

export const handler = define.api(api, {
  async PATCH(ctx, { body, params, user }) {
    const position = await protectPosition(ctx.state.deps, user.id, params.id, params.positionId, body);
    return Response.json({ position: positionJson(position) });
  },
});
