import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { submitForReview } from "../../../services/kyc/review.ts";
import { submissionSchema } from "../../../services/kyc/schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Submit the uploaded KYC documents for review",
    description:
      "Submits the caller's draft documents (identity_front and proof_of_address required, identity_back " +
      "optional). The status becomes `submitted`; staff approve or reject it.",
    tags: ["kyc"],
    access: "authenticated",
    optionalBody: true,
    responses: {
      201: { description: "Submitted", schema: submissionSchema },
      409: { description: "Already under review, or already approved" },
      422: { description: "A required document is missing (`fields` names each)" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { user }) {
    return Response.json(await submitForReview(ctx.state.deps, ctx.state.actor, user.id), { status: 201 });
  },
});
