import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readJson } from "../../../../lib/validation.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { planRevisionSchema } from "../../../../services/plans/admin.ts";
import { previewPlan } from "../../../../services/plans/preview.ts";

export const api = defineApi({
  POST: {
    summary: "Preview a draft plan's public rules text and worked examples (nothing is saved)",
    description:
      "The body is a plan definition as for `PUT /api/admin/plans/:id`. The answer is what /rules " +
      "and /challenges would show for it, from the same generators; invalid drafts are a 422 naming each " +
      "field path, exactly as saving would.",
    tags: ["admin"],
    access: rolesWith("plans.manage"),
    body: planRevisionSchema,
    // Read by the handler: parsePlanInput names the field paths of the compiled rules.
    rawBody: true,
    responses: {
      200: { description: "The preview", schema: z.object({ name: z.string() }).passthrough() },
      422: { description: "Invalid plan" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx) {
    return Response.json(previewPlan(await readJson(ctx.req, z.unknown())));
  },
});
