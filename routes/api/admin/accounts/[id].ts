import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { accountActionInput, applyAccountAction } from "../../../../services/accounts/admin.ts";

export const api = defineApi({
  PUT: {
    summary: "Staff action on an account: reinstate, pause or close it",
    description:
      '`{"action":"reinstate"|"pause"|"close","reason":"…"}`, audited with the reason. `reinstate` lifts a ' +
      "failure (not a time-limit one: the account and its challenge become active again, evaluation " +
      "continues from the current figures, the breach stays in the history) or a pause. `pause` stops an " +
      "active account trading until it is reinstated (the loss rules still apply). `close` ends an account " +
      "for good (sync events are refused; a challenge account's challenge is cancelled).",
    tags: ["admin"],
    access: rolesWith("accounts.reinstate"),
    params: z.object({ id: z.uuid("No such account.") }),
    body: accountActionInput,
    responses: {
      200: { description: "The account after the action", schema: z.record(z.string(), z.unknown()) },
      404: { description: "No such account" },
      409: { description: "The account is not in a state the action applies to" },
      422: { description: "Invalid action or reason" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    return Response.json({ account: await applyAccountAction(deps, actor, params.id, body) });
  },
});
