import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { payoutActionInput, reviewPayout } from "../../../../services/payouts/review.ts";
import { staffPayoutSchema } from "../../payouts/_schemas.ts";

export const api = defineApi({
  PUT: {
    summary: "Decide on a payout: approve, reject (with a reason) or mark paid (with a reference)",
    description: '`{"action":"approve"}` — above the four-eyes amount (PAYOUT_FOUR_EYES_ABOVE, on the ' +
      "trader's share) two different staff members must approve; the same one twice is 409. " +
      '`{"action":"reject","reason":"…"}` from pending or approved puts the amount back on the account. ' +
      '`{"action":"mark_paid","reference":"…"}` from approved. Each step is audited and mailed to the trader.',
    tags: ["admin", "payouts"],
    access: rolesWith("payouts.review"),
    params: z.object({ id: z.uuid("No such payout.") }),
    body: payoutActionInput,
    responses: {
      200: {
        description: "The payout after the action",
        schema: staffPayoutSchema.omit({ userEmail: true, userName: true }),
      },
      403: { description: "Your own payout" },
      404: { description: "No such payout" },
      409: { description: "The action does not fit the status, or you already approved" },
      422: { description: "Invalid action, reason or reference" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body, params, user }) {
    const { deps, actor } = ctx.state;
    return Response.json(await reviewPayout(deps, user, params.id, body, actor));
  },
});
