import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { viewDocument } from "../../../../../services/kyc/documents.ts";

export const api = defineApi({
  GET: {
    summary: "View a KYC document (signed link)",
    description:
      "The decrypted document, through the signed link `GET /api/kyc` or `GET /api/admin/kyc` handed out " +
      "(`expires`, `sig`). A link works only for the signed-in user it was issued to (the owner, or support, " +
      "risk or admin), for 5 minutes; every view is audited. Anyone else — another trader included — gets " +
      "404, as for an unknown id.",
    tags: ["kyc"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such document.") }),
    query: z.object({ expires: z.string().max(20).default(""), sig: z.string().max(128).default("") }),
    responses: {
      200: { description: "The document's bytes (image/jpeg, image/png or application/pdf)" },
      403: { description: "The link has expired" },
      404: { description: "No such document, a link not issued to the caller, or a document not theirs" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, query, user }) {
    const file = await viewDocument(ctx.state.deps, { ...user, actor: ctx.state.actor }, params.id, query);
    const ext = { "image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf" }[file.contentType] ??
      "bin";
    return new Response(file.body, {
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.size),
        "content-disposition": `inline; filename="${params.id}.${ext}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; img-src 'self'; sandbox",
      },
    });
  },
});
