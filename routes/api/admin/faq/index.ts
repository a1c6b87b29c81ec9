import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminFaq, createFaq, faqInputSchema } from "../../../../services/faq/admin.ts";
import { faqEntrySchema } from "./_schemas.ts";

const access = rolesWith("content.manage");

export const api = defineApi({
  GET: {
    summary: "Every FAQ entry, published or not, in the order /faq shows them",
    tags: ["admin"],
    access,
    responses: { 200: { description: "Entries", schema: z.object({ entries: z.array(faqEntrySchema) }) } },
  },
  POST: {
    summary: "Add a FAQ entry (at the end of its category)",
    description: "The slug (the answer's anchor on /faq) is derived from the question when left out. " +
      "Published entries appear on /faq and the home page at once.",
    tags: ["admin"],
    access,
    body: faqInputSchema,
    bodyLimit: 32 * 1024,
    responses: {
      201: { description: "The entry", schema: faqEntrySchema },
      409: { description: "The slug is taken" },
      422: { description: "Invalid entry" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx) {
    return Response.json({ entries: await adminFaq(ctx.state.deps.db) });
  },
  async POST(ctx, { body }) {
    const { deps, actor } = ctx.state;
    const id = await createFaq(deps, actor, body);
    const entry = (await adminFaq(deps.db)).find((e) => e.id === id)!;
    return Response.json(entry, { status: 201, headers: { location: `/api/admin/faq/${id}` } });
  },
});
