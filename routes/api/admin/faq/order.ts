import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminFaq, faqOrderSchema, reorderFaq } from "../../../../services/faq/admin.ts";
import { faqEntrySchema } from "./_schemas.ts";

export const api = defineApi({
  PUT: {
    summary: "Reorder one category's FAQ entries",
    description: "`ids` lists every entry of `category` exactly once, in the new order (first shown first).",
    tags: ["admin"],
    access: rolesWith("content.manage"),
    body: faqOrderSchema,
    responses: {
      200: {
        description: "Every entry, in the new order",
        schema: z.object({ entries: z.array(faqEntrySchema) }),
      },
      422: { description: "Not exactly the category's entries" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body }) {
    const { deps, actor } = ctx.state;
    await reorderFaq(deps, actor, body);
    return Response.json({ entries: await adminFaq(deps.db) });
  },
});
