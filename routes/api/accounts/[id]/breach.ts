import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { loadBreaches } from "../../../../services/accounts/access.ts";

const evidence = z.record(z.string(), z.unknown());

export const api = defineApi({
  GET: {
    summary: "Breach evidence of an account",
    description:
      "`breach`: the evidence that failed the account, while it stands (null if it never failed, " +
      "or was reinstated). `history`: every breach and daily-loss pause recorded, newest first (at most " +
      "100), each replayable through its `inputsHash` (DESIGN §3). The owner and staff may read it; anyone " +
      "else gets 404.",
    tags: ["accounts"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    responses: {
      200: {
        description: "Evidence",
        schema: z.object({ breach: evidence.nullable(), history: z.array(evidence) }),
      },
      404: { description: "No such account of yours" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, user }) {
    const { deps } = ctx.state;
    return Response.json(
      await loadBreaches(deps.db.sql, { ...user, actor: ctx.state.actor }, params.id),
    );
  },
});
