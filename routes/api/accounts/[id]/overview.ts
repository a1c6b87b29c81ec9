import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { loadAccountOverview } from "../../../../services/accounts/overview.ts";

const json = z.record(z.string(), z.unknown());

export const api = defineApi({
  GET: {
    summary: "Live figures of an account: meters, objectives, breach",
    description: "What the account page shows, computed by the rule engine from the account's current " +
      "state: `meters` (room to the daily and maximum-loss floors in money and as % of the limit, with " +
      "`level` ok/caution/danger/breached at 50 % and 80 % used; the daily floor's anchor, method and next " +
      "reset; the max-loss mode, high-water mark and lock; profit to target; best-day consistency and the " +
      "profit still needed; trading days), `objectives` (as in progress), `breach` (the evidence while it " +
      "stands, a pause included), `reinstated` (a failure staff reinstated, kept visible) and `next` (a " +
      "passed phase's next account). Money as decimal strings. Islands refetch it when a change arrives on " +
      "the user stream. The owner and staff may read it; anyone else gets 404.",
    tags: ["accounts"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    responses: {
      200: {
        description: "The overview",
        schema: z.object({
          account: json,
          stageName: z.string(),
          planName: z.string().nullable(),
          meters: json.nullable(),
          objectives: z.array(json),
          anchorWords: z.string().nullable(),
          breach: json.nullable(),
          reinstated: json.nullable(),
          next: z.object({ accountId: z.string(), stageName: z.string() }).nullable(),
          computedAt: z.string(),
        }),
      },
      404: { description: "No such account of yours" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, user }) {
    const { deps } = ctx.state;
    const overview = await loadAccountOverview(
      deps.db.sql,
      { ...user, actor: ctx.state.actor },
      params.id,
    );
    return Response.json(overview, { headers: { "cache-control": "no-store" } });
  },
});
