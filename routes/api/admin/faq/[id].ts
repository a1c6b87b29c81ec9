import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { NotFound } from "../../../../lib/errors.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminFaq, editFaq, faqInputSchema, removeFaq } from "../../../../services/faq/admin.ts";
import { faqEntrySchema, faqParams } from "./_schemas.ts";

const access = rolesWith("content.manage");

export const api = defineApi({
  GET: {
    summary: "One FAQ entry",
    tags: ["admin"],
    access,
    params: faqParams,
    responses: {
      200: { description: "The entry", schema: faqEntrySchema },
      404: { description: "No such entry" },
    },
  },
  PUT: {
    summary: "Replace a FAQ entry's text, category, anchor and visibility",
    description: "Moving an entry to another category puts it at that category's end.",
    tags: ["admin"],
    access,
    params: faqParams,
    body: faqInputSchema,
    bodyLimit: 32 * 1024,
    responses: {
      200: { description: "The entry", schema: faqEntrySchema },
      404: { description: "No such entry" },
      409: { description: "The slug is taken" },
      422: { description: "Invalid entry" },
    },
  },
  DELETE: {
    summary: "Delete a FAQ entry (the audit log keeps its text)",
    tags: ["admin"],
    access,
    params: faqParams,
    responses: { 204: { description: "Deleted" }, 404: { description: "No such entry" } },
  },
});

async function entry(deps: { db: Parameters<typeof adminFaq>[0] }, id: string) {
  const found = (await adminFaq(deps.db)).find((e) => e.id === id);
  if (!found) throw new NotFound("No such entry.");
  return found;
}

export const handler = define.api(api, {
  async GET(ctx, { params }) {
    return Response.json(await entry(ctx.state.deps, params.id));
  },
  async PUT(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    await editFaq(deps, actor, params.id, body);
    return Response.json(await entry(deps, params.id));
  },
  async DELETE(ctx, { params }) {
    const { deps, actor } = ctx.state;
    await removeFaq(deps, actor, params.id);
    return new Response(null, { status: 204 });
  },
});
