import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { Unprocessable } from "../../../../lib/errors.ts";
import { MONEY_MAX, moneySchema } from "../../../../services/money.ts";
import { loadEngineState } from "../../../../services/accounts/overview.ts";
import { closeAt, lossToBreach } from "../../../../services/accounts/what_if.ts";
import { enforce, RATE_RULES } from "../../../../services/rate_limit/rules.ts";

const question = z.discriminatedUnion("question", [
  z.object({ question: z.literal("loss_to_breach") }),
  z.object({ question: z.literal("close_at"), pnl: moneySchema({ min: `-${MONEY_MAX}` }) }),
]);
const json = z.record(z.string(), z.unknown());

export const api = defineApi({
  POST: {
    summary: "What-if on the account's current state",
    description:
      "Runs the rule engine on a copy of the account's current state (today's anchor, high-water " +
      "mark, open positions; resets due by now rolled first) with one hypothetical event, and writes " +
      "nothing. `loss_to_breach`: the smallest further loss on open positions that breaches, the rule and " +
      "the evidence the engine would write. `close_at`: the open positions closed now for a total result " +
      "`pnl` (when flat, one trade with that result) — the status and floors right after and at the next " +
      "reset. The owner and staff may ask; anyone else gets 404.",
    tags: ["accounts"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    body: question,
    responses: {
      200: {
        description: "The engine's answer",
        schema: z.object({ question: z.string(), answer: json.nullable() }),
      },
      404: { description: "No such account of yours" },
      422: { description: "Invalid question, or an account the engine does not evaluate" },
      429: { description: "Too many questions" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { params, user, body }) {
    const { deps } = ctx.state;
    const loaded = await loadEngineState(deps.db.sql, { ...user, actor: ctx.state.actor }, params.id);
    await enforce(deps.limiter, RATE_RULES.simulate_user, user.id);
    if (!loaded) throw new Unprocessable("accountId", "This account is not evaluated by the rule engine.");
    const now = Date.now();
    const answer = body.question === "loss_to_breach"
      ? lossToBreach(loaded.state, loaded.rules, now)
      : closeAt(loaded.state, loaded.rules, now, body.pnl);
    return Response.json({ question: body.question, answer }, { headers: { "cache-control": "no-store" } });
  },
});
