import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { accountActionInput, reinstateAccount } from "../../../../services/accounts/admin.ts";

export const api = defineApi({
  PUT: {
    summary: "Staff action on an account: reinstate a failed account",
    description:
      '`{"action":"reinstate","reason":"…"}` lifts a failure (not a time-limit one): the account ' +
      "and its challenge become active again, evaluation continues from the current figures, the breach " +
      "stays in the history, and the action is audited with the reason.",
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
    return Response.json({ account: await reinstateAccount(deps, actor, params.id, body.reason) });
  },
});
