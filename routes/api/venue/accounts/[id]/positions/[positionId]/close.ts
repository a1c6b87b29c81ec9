import { z } from "zod";
import { define } from "../../../../../../_define.ts";
import { defineApi } from "../../../../../../../lib/api.ts";
import { closeInput } from "../../../../../../../services/venue/order_input.ts";
import { closePosition } from "../../../../../../../services/venue/positions.ts";

export const api = defineApi({
  POST: {
    summary: "Close a position, or part of it",
    description:
      "Closes `volume` lots (default: all) at the current mark through the rule engine. A partial " +
      "close realizes the P&L of the lots closed and keeps the rest open at the original entry price. " +
      "Allowed while trading is paused or self-locked (it only reduces risk), not on a closed market.",
    tags: ["venue"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account."), positionId: z.uuid("No such position.") }),
    body: closeInput,
    responses: {
      200: {
        description: "What was closed",
        schema: z.object({ positionId: z.string(), volume: z.string(), price: z.string(), pnl: z.string() }),
      },
      404: { description: "No such open position of yours" },
      409: { description: "`market_closed`, `no_price`" },
      422: { description: "A volume above the position's" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, params, user }) {
    const closed = await closePosition(ctx.state.deps, user.id, params.id, params.positionId, body);
    return Response.json({
      positionId: closed.position.id,
      volume: closed.closedVolume,
      price: closed.price,
      pnl: closed.pnl,
    });
  },
});
