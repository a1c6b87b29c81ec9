import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readJson } from "../../../../lib/validation.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { adminPlans, createPlan, newPlanSchema, parsePlanInput } from "../../../../services/plans/admin.ts";
import { adminPlanSchema } from "./_schemas.ts";

const access = rolesWith("plans.manage");

export const api = defineApi({
  GET: {
    summary: "Every plan, on sale or not, with all its versions",
    tags: ["admin"],
    access,
    responses: { 200: { description: "Plans", schema: z.object({ plans: z.array(adminPlanSchema) }) } },
  },
  POST: {
    summary: "Create a plan (version 1, on sale at once)",
    description: "The body is a plan definition plus `family` and an optional `slug` (derived from `name` " +
      "when absent). Invalid rules are a 422 naming each field path, e.g. `phases.0.dailyLoss.percent`.",
    tags: ["admin"],
    access,
    body: newPlanSchema,
    // Read by the handler: parsePlanInput names the field paths of the compiled rules.
    rawBody: true,
    responses: {
      201: { description: "The plan", schema: adminPlanSchema },
      409: { description: "The slug is taken" },
      422: { description: "Invalid plan" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx) {
    return Response.json({ plans: await adminPlans(ctx.state.deps.db) });
  },
  async POST(ctx) {
    const { deps, actor } = ctx.state;
    const { slug, family, body } = parsePlanInput(await readJson(ctx.req, z.unknown()), "create");
    const plan = await createPlan(deps, actor, { slug: slug!, family: family!, body });
    return Response.json(plan, { status: 201, headers: { location: `/api/admin/plans/${plan.id}` } });
  },
});
