/** Response shapes of the plans admin API (documentation; the data comes from services/plans/queries.ts). */
import { z } from "zod";
import { planDefinitionSchema } from "../../../../services/plans/definition.ts";

const version = z.object({
  version: z.int(),
  versionId: z.string(),
  currency: z.string(),
  initialBalance: z.string(),
  price: z.string(),
  definition: planDefinitionSchema,
  createdAt: z.string(),
  accounts: z.int().describe("Accounts opened on this version (they keep it)."),
});

export const adminPlanSchema = z.object({
  id: z.string(),
  slug: z.string(),
  family: z.string(),
  name: z.string(),
  active: z.boolean().describe("Whether the plan is on sale."),
  featured: z.boolean().describe('Marked "most popular" by staff (wins over the figure from orders).'),
  version: z.int().describe("The current version: what new purchases get."),
  versionId: z.string(),
  currency: z.string(),
  initialBalance: z.string(),
  price: z.string(),
  definition: planDefinitionSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  versions: z.array(version).describe("Every version, newest first; accounts keep the one they bought."),
});

/** A malformed id answers like an unknown one (`define.api` turns the refusal into this 404). */
export const planParams = z.object({ id: z.uuid("No such plan.") });
