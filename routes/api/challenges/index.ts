import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { listActivePlans } from "../../../services/plans/queries.ts";
import { fundedSchema, phaseSchema, resetSchema } from "../../../services/plans/definition.ts";

const planSchema = z.object({
  id: z.string().describe("What `POST /api/challenges/purchase` takes as `planId`."),
  slug: z.string(),
  family: z.string(),
  name: z.string(),
  version: z.int().describe("The rule version a purchase now gets."),
  currency: z.string(),
  initialBalance: z.string(),
  price: z.string(),
  reset: resetSchema,
  phases: z.array(phaseSchema),
  funded: fundedSchema,
});

export const api = defineApi({
  GET: {
    summary: "Plans on sale",
    description: "Each plan at its current version, by family and then size, with its full rules.",
    tags: ["challenges"],
    access: "public",
    responses: { 200: { description: "Plans", schema: z.object({ plans: z.array(planSchema) }) } },
  },
});

export const handler = define.handlers({
  async GET(ctx) {
    const plans = await listActivePlans(ctx.state.deps.db);
    return Response.json({
      plans: plans.map((p) => ({
        id: p.id,
        slug: p.slug,
        family: p.family,
        name: p.name,
        version: p.version,
        currency: p.currency,
        initialBalance: p.initialBalance,
        price: p.price,
        reset: p.definition.reset,
        phases: p.definition.phases,
        funded: p.definition.funded,
      })),
    });
  },
});
