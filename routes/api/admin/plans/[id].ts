import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readJson } from "../../../../lib/validation.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import {
  adminPlan,
  parsePlanInput,
  planFlagsSchema,
  planRevisionSchema,
  revisePlan,
  updatePlan,
} from "../../../../services/plans/admin.ts";
import { adminPlanSchema, planParams } from "./_schemas.ts";

const access = rolesWith("plans.manage");

export const api = defineApi({
  GET: {
    summary: "One plan with all its versions",
    tags: ["admin"],
    access,
    params: planParams,
    responses: {
      200: { description: "The plan", schema: adminPlanSchema },
      404: { description: "No such plan" },
    },
  },
  PUT: {
    summary: "Publish a new version of a plan's rules",
    description: "The body is the complete new plan definition (optionally a new `family`). It becomes " +
      "version current + 1, which new purchases get; accounts already bought keep their version. The plan's " +
      "name follows the new body; its slug never changes. A body equal to the current version adds none.",
    tags: ["admin"],
    access,
    params: planParams,
    body: planRevisionSchema,
    // Read by the handler: parsePlanInput names the field paths of the compiled rules.
    rawBody: true,
    responses: {
      200: { description: "The plan at its new version", schema: adminPlanSchema },
      404: { description: "No such plan" },
      422: { description: "Invalid plan" },
    },
  },
  PATCH: {
    summary: "Stop or resume selling a plan, move it to another family, or mark it most popular",
    description:
      '`{"active": false}` takes the plan off sale (it disappears from `GET /api/challenges` and ' +
      'cannot be bought; existing accounts are unaffected); `{"active": true}` puts it back. ' +
      '`{"featured": true}` marks it "most popular" on /challenges (clearing the mark elsewhere); while a ' +
      "marked plan is on sale the mark wins over the plan computed from paid orders. No new version.",
    tags: ["admin"],
    access,
    params: planParams,
    body: planFlagsSchema,
    responses: {
      200: { description: "The plan", schema: adminPlanSchema },
      404: { description: "No such plan" },
      422: { description: "Invalid change" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params }) {
    return Response.json(await adminPlan(ctx.state.deps.db, params.id));
  },
  async PUT(ctx, { params }) {
    const { deps, actor } = ctx.state;
    const input = parsePlanInput(await readJson(ctx.req, z.unknown()), "revise");
    return Response.json(await revisePlan(deps, actor, params.id, input));
  },
  async PATCH(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    return Response.json(await updatePlan(deps, actor, params.id, body));
  },
});
