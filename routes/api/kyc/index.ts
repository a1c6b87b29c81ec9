import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { kycOverview } from "../../../services/kyc/overview.ts";
import { overviewSchema } from "../../../services/kyc/schemas.ts";

export const api = defineApi({
  GET: {
    summary: "The caller's identity verification (KYC)",
    description:
      "Status `none → submitted → approved | rejected` (with the reviewer's `reason`; a rejected trader " +
      "uploads new documents and submits again). `drafts` are uploaded documents not yet submitted, " +
      "`submitted` those of the latest submission, `missing` the required kinds (identity_front, " +
      "proof_of_address) still to upload. Each document's `url` is a view link signed for the caller, valid " +
      "5 minutes.",
    tags: ["kyc"],
    access: "authenticated",
    responses: { 200: { description: "Verification state", schema: overviewSchema } },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json(await kycOverview(ctx.state.deps, user), {
      headers: { "cache-control": "no-store" },
    });
  },
});
