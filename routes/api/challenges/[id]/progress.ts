import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { challengeProgress } from "../../../../services/accounts/progress.ts";

const progressSchema = z.object({
  status: z.enum(["active", "passed", "failed"]),
  phase: z.int(),
  accountId: z.string(),
  accountStatus: z.string(),
  objectives: z.array(z.record(z.string(), z.unknown())),
  breach: z.record(z.string(), z.unknown()).nullable(),
  fundedAccountId: z.string().nullable(),
});

export const api = defineApi({
  GET: {
    summary: "A challenge's progress: objectives and breach of its current phase",
    description:
      "Figures are decimal strings, instants ISO-8601 UTC. `status` is the challenge's; the phase " +
      "account's own status (e.g. `paused` after a daily-loss pause) is `accountStatus`. The owner and staff " +
      "may read it; anyone else gets 404.",
    tags: ["challenges"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such challenge.") }),
    responses: {
      200: { description: "Progress", schema: progressSchema },
      404: { description: "No such challenge of yours" },
      409: { description: "The challenge has not started (payment pending, or cancelled)" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, user }) {
    const { deps } = ctx.state;
    return Response.json(
      await challengeProgress(deps.db.sql, { ...user, actor: ctx.state.actor }, params.id),
    );
  },
});
