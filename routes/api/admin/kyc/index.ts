import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { STAFF } from "../../../../services/auth/roles.ts";
import { reviewQueueWithDocuments } from "../../../../services/kyc/overview.ts";
import { queuedSchema } from "../../../../services/kyc/schemas.ts";

export const api = defineApi({
  GET: {
    summary: "KYC review queue",
    description:
      "Submissions awaiting a decision, oldest first (at most 100), each with the user's profile, earlier " +
      "rejections and the submitted documents (view links signed for the caller, valid 5 minutes).",
    tags: ["admin", "kyc"],
    access: STAFF,
    responses: { 200: { description: "The queue", schema: z.object({ queue: z.array(queuedSchema) }) } },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json({ queue: await reviewQueueWithDocuments(ctx.state.deps, user) }, {
      headers: { "cache-control": "no-store" },
    });
  },
});
