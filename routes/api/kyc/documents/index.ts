import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readDocumentUpload, UPLOAD_BODY_LIMIT } from "../../../../services/kyc/upload.ts";
import { documentSchema } from "../../../../services/kyc/schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Upload a KYC document",
    description:
      "`multipart/form-data` with a field `kind` (identity_front, identity_back or proof_of_address) and a " +
      "field `file`: a JPEG, PNG or PDF recognised by its content (not its name or declared type), at most " +
      "10 MB. `kind` must come before `file` in the body. The file streams to storage encrypted with AES-256-GCM; it replaces an earlier, unsubmitted " +
      "upload of the same kind. Refused while a submission is under review or once approved.",
    tags: ["kyc"],
    access: "authenticated",
    rawBody: true,
    bodyMediaType: "multipart/form-data",
    body: z.object({
      kind: z.enum(["identity_front", "identity_back", "proof_of_address"]),
      file: z.string(),
    }),
    bodyLimit: UPLOAD_BODY_LIMIT,
    responses: {
      201: { description: "Stored", schema: documentSchema },
      409: { description: "Documents cannot change now (under review or approved)" },
      413: { description: "The file is larger than 10 MB" },
      415: { description: "Not multipart/form-data" },
      422: { description: "Unknown kind, no file, or not a JPEG, PNG or PDF" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { user }) {
    const document = await readDocumentUpload(ctx.state.deps, user.id, ctx.req);
    return Response.json(document, { status: 201 });
  },
});
