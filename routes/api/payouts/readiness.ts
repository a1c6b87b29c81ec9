import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readinessFor } from "../../../services/payouts/requests.ts";
import { readinessSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "Whether a funded account may request a payout now, and why not yet",
    description: "Each condition of the payout rules with its state and a sentence (times in your time " +
      "zone), and the figures of a request: profit, the most you may withdraw, your share of it, the least " +
      "amount that reaches the minimum payout.",
    tags: ["payouts"],
    access: "authenticated",
    query: z.object({ accountId: z.string().min(1).max(100) }),
    responses: {
      200: { description: "The readiness", schema: readinessSchema },
      404: { description: "No such account of yours" },
      409: { description: "The account has no payout terms (a demo account)" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    return Response.json(await readinessFor(ctx.state.deps, user, query.accountId, ctx.state.actor));
  },
});
