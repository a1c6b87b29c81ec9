/**
 * The back office's plan catalogue. Rules are versioned: editing a plan's body adds a version and accounts
 * keep the one they bought; what is not a rule (on sale or not, the listing family) changes in place. Every
 * change is audited in its own transaction, then cached public pages showing plans are dropped.
 */
import { z } from "zod";
import { singleLine } from "../../lib/text.ts";
import type { Db } from "../../db/client.ts";
import {
  type AdminPlan,
  insertPlan,
  insertPlanVersion,
  listPlans,
  slugTaken,
  updatePlanFlags,
} from "./queries.ts";
import { Conflict, type FieldErrors, NotFound, Unprocessable } from "../../lib/errors.ts";
import { fieldErrors } from "../../lib/validation.ts";
import type { Bus } from "../bus/mod.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { invalidatePages } from "../page_cache.ts";
import { parsePlanDefinition, type PlanDefinition, planDefinitionSchema } from "./definition.ts";
import { log } from "../log.ts";
import { canonicalJson } from "../engine/canonical.ts";
import { assertPriceableCurrency } from "./currencies.ts";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const slugSchema = z.string().max(60).regex(
  SLUG,
  'must be lower-case words joined by "-", e.g. "two-step-100k"',
);
const familySchema = singleLine().trim().min(1, "is required").max(60, "must be at most 60 characters");

/** `POST /api/admin/plans`: a plan body plus its listing family and, optionally, its URL slug. */
export const newPlanSchema = planDefinitionSchema.extend({
  slug: slugSchema.optional().describe("Derived from `name` when absent; never changes afterwards."),
  family: familySchema.describe('Listing group, e.g. "Two-Step".'),
});

/** `PUT /api/admin/plans/:id`: the complete new rules, optionally a new family. */
export const planRevisionSchema = planDefinitionSchema.extend({
  family: familySchema.optional(),
  slug: slugSchema.optional().describe("Accepted only when equal to the plan's slug (slugs never change)."),
});

/** `PATCH /api/admin/plans/:id`: what changes without a new version. */
export const planFlagsSchema = z.strictObject({
  active: z.boolean().optional().describe("false stops selling the plan; true resumes. Owners keep trading."),
  family: familySchema.optional(),
  featured: z.boolean().optional().describe(
    'true marks the plan "most popular" on /challenges (and clears the mark on every other plan); ' +
      "false removes it, and the mark is computed from paid orders again.",
  ),
}).refine(
  (v) => v.active !== undefined || v.family !== undefined || v.featured !== undefined,
  "send at least one of active, family, featured",
);

interface CatalogDeps {
  db: Db;
  bus: Bus;
}

/** "Two-Step 100K" → "two-step-100k"; accents dropped. Empty when the name has no letters or digits. */
function slugify(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
}

/**
 * Splits a request body into the plan's row fields and its rules, validating both, so one 422 names every
 * offending path (`family`, `phases.0.dailyLoss.percent`, …).
 */
export function parsePlanInput(
  input: unknown,
  mode: "create" | "revise",
): { slug: string | undefined; family: string | undefined; body: PlanDefinition } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Unprocessable("definition", "must be a JSON object");
  }
  const { slug, family, ...rest } = input as Record<string, unknown>;
  const meta = z.object({
    slug: slugSchema.optional(),
    family: mode === "create" ? familySchema : familySchema.optional(),
  }).safeParse({ slug, family });
  const fields: FieldErrors = meta.success ? {} : fieldErrors(meta.error);
  let body: PlanDefinition | undefined;
  try {
    body = parsePlanDefinition(rest);
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    Object.assign(fields, error.fields);
  }
  if (!meta.success || !body) throw new Unprocessable(fields);
  const chosen = mode === "create" ? meta.data.slug ?? slugify(body.name) : meta.data.slug;
  if (mode === "create" && !chosen) {
    throw new Unprocessable("slug", "cannot be derived from the name; send one");
  }
  return { slug: chosen, family: meta.data.family, body };
}

/** Every plan with its versions (the back office list). */
export async function adminPlans(db: Db): Promise<AdminPlan[]> {
  return await listPlans(db);
}

/** One plan with its versions; 404 when unknown. */
export async function adminPlan(db: Db, planId: string): Promise<AdminPlan> {
  const [plan] = await listPlans(db, planId);
  if (!plan) throw new NotFound("No such plan.");
  return plan;
}

/** Creates a plan at version 1, on sale at once. 409 when the slug is taken. */
export async function createPlan(
  deps: CatalogDeps,
  actor: Actor,
  input: { slug: string; family: string; body: PlanDefinition },
): Promise<AdminPlan> {
  const taken = () => new Conflict("A plan with this slug exists.", { slug: "is taken" });
  let planId: string;
  try {
    planId = await deps.db.tx(async (tx) => {
      if (await slugTaken(tx, input.slug)) throw taken();
      await assertPriceableCurrency(tx, input.body.currency);
      const { planId, versionId } = await insertPlan(tx, input);
      await recordAudit(tx, actor, "admin.plan_created", {
        type: "plan",
        id: planId,
        details: { slug: input.slug, family: input.family, version: 1, versionId, name: input.body.name },
      });
      return planId;
    });
  } catch (error) {
    // Two creations with one slug at once: the unique index lets one through.
    if ((error as { code?: string }).code === "23505") throw taken();
    throw error;
  }
  await refreshPages(deps.bus);
  return await adminPlan(deps.db, planId);
}

/**
 * Adds the next version of plan `planId` with `body`; sales from now on use it. A body equal to the current
 * version's adds no version (saving an unchanged form must not split the plan's accounts across two
 * identical versions); a family change alone is then an ordinary update. 404 when unknown.
 */
export async function revisePlan(
  deps: CatalogDeps,
  actor: Actor,
  planId: string,
  input: { slug?: string; family?: string; body: PlanDefinition },
): Promise<AdminPlan> {
  await deps.db.tx(async (tx) => {
    const [plan] = await tx<{ slug: string; family: string; definition: unknown }[]>`
      select p.slug, p.family, v.definition
      from plans p join plan_versions v on v.plan_id = p.id and v.version = p.current_version
      where p.id = ${planId}
      for update of p`;
    if (!plan) throw new NotFound("No such plan.");
    if (input.slug !== undefined && input.slug !== plan.slug) {
      throw new Unprocessable("slug", "cannot change: it is part of the plan's links");
    }
    if (sameRules(plan.definition, input.body)) {
      if (input.family === undefined || input.family === plan.family) return;
      await updatePlanFlags(tx, planId, { family: input.family });
      await recordAudit(tx, actor, "admin.plan_updated", {
        type: "plan",
        id: planId,
        details: { before: { family: plan.family }, changes: { family: input.family } },
      });
      return;
    }
    // Checked only for a new version: unchanged rules publish nothing, whatever their currency.
    await assertPriceableCurrency(tx, input.body.currency);
    const added = (await insertPlanVersion(tx, planId, input.body))!;
    if (input.family !== undefined) await updatePlanFlags(tx, planId, { family: input.family });
    await recordAudit(tx, actor, "admin.plan_versioned", {
      type: "plan",
      id: planId,
      details: {
        from: added.previous,
        version: added.version,
        versionId: added.versionId,
        name: input.body.name,
        ...(input.family !== undefined ? { family: input.family } : {}),
      },
    });
  });
  await refreshPages(deps.bus);
  return await adminPlan(deps.db, planId);
}

/**
 * Stops or resumes selling plan `planId`, moves it to another family, or sets or clears its "most popular"
 * flag. 404 when unknown.
 */
export async function updatePlan(
  deps: CatalogDeps,
  actor: Actor,
  planId: string,
  changes: { active?: boolean; family?: string; featured?: boolean },
): Promise<AdminPlan> {
  await deps.db.tx(async (tx) => {
    const before = await updatePlanFlags(tx, planId, changes);
    if (!before) throw new NotFound("No such plan.");
    await recordAudit(tx, actor, "admin.plan_updated", {
      type: "plan",
      id: planId,
      details: { before, changes },
    });
  });
  await refreshPages(deps.bus);
  return await adminPlan(deps.db, planId);
}

/** Whether a stored body and a new one say the same (jsonb does not keep key order, so compare parsed). */
function sameRules(stored: unknown, body: PlanDefinition): boolean {
  return canonicalJson(planDefinitionSchema.parse(stored)) === canonicalJson(body);
}

/** The change is committed whatever the bus does; a stale cached page is the lesser harm than a 500. */
async function refreshPages(bus: Bus): Promise<void> {
  await invalidatePages(bus, "plans").catch((error) =>
    log.error("invalidating cached plan pages failed", { scope: "commerce", error })
  );
}
