import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { decideSubmission, decisionInput } from "../../../../services/kyc/review.ts";
import { submissionSchema } from "../../../../services/kyc/schemas.ts";

export const api = defineApi({
  PUT: {
    summary: "Approve or reject a KYC submission",
    description:
      '`{"action":"approve"}` or `{"action":"reject","reason":"…"}` (a rejection needs a reason of at ' +
      "least 10 characters; the trader reads it). Approval activates the trader's funded accounts waiting " +
      "for KYC (`pending_kyc`) in the same transaction. Audited and mailed to the trader.",
    tags: ["admin", "kyc"],
    access: rolesWith("kyc.review"),
    params: z.object({ id: z.uuid("No such submission.") }),
    body: decisionInput,
    responses: {
      200: {
        description: "The decided submission and the accounts it activated",
        schema: submissionSchema.extend({ activatedAccounts: z.array(z.uuid()) }),
      },
      404: { description: "No such submission" },
      409: { description: "Already decided" },
      422: { description: "Invalid action, or a rejection without a reason" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body, params }) {
    return Response.json(await decideSubmission(ctx.state.deps, ctx.state.actor, params.id, body));
  },
});
