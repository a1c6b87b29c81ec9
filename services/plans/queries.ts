/** Queries over `plans` and `plan_versions`. Money columns stay decimal strings end to end. */
import type postgres from "postgres";
import type { Db, Sql } from "../../db/client.ts";
import { type PlanDefinition, planDefinitionSchema } from "./definition.ts";

/** A sellable plan with its current version's figures (`versionId` is what a purchase references). */
export type ActivePlan =
  & { id: string; slug: string; family: string; name: string }
  & Omit<PlanVersion, "createdAt" | "accounts">;

/**
 * Inserts a plan and its version 1. The plan's name, currency, balance and price are copied from `body` into
 * columns so listings and purchases need not open the jsonb. `body` must already be validated.
 */
export async function insertPlan(
  tx: Sql,
  input: { slug: string; family: string; body: PlanDefinition },
): Promise<{ planId: string; versionId: string }> {
  const { slug, family, body } = input;
  const [plan] = await tx<{ id: string }[]>`
    insert into plans (slug, family, name, current_version)
    values (${slug}, ${family}, ${body.name}, 1)
    returning id`;
  const [version] = await tx<{ id: string }[]>`
    insert into plan_versions (plan_id, version, currency, initial_balance, price, definition)
    values (${plan.id}, 1, ${body.currency}, ${body.initialBalance}, ${body.price}, ${tx.json(body)})
    returning id`;
  return { planId: plan.id, versionId: version.id };
}

/** Active plans at their current version, by family, then initial balance (smallest first), then slug. */
export async function listActivePlans(db: Db | Sql): Promise<ActivePlan[]> {
  return await selectActivePlans(sqlOf(db), null);
}

/** One active plan at its current version, or null (unknown, or no longer sold). */
export async function findActivePlan(db: Db | Sql, planId: string): Promise<ActivePlan | null> {
  const [plan] = await selectActivePlans(sqlOf(db), planId);
  return plan ?? null;
}

async function selectActivePlans(sql: Sql, planId: string | null): Promise<ActivePlan[]> {
  const rows = await sql<
    {
      id: string;
      slug: string;
      family: string;
      name: string;
      version: number;
      version_id: string;
      currency: string;
      initial_balance: string;
      price: string;
      definition: unknown;
    }[]
  >`
    select p.id, p.slug, p.family, p.name, v.version, v.id as version_id, v.currency,
           v.initial_balance, v.price, v.definition
    from plans p
    join plan_versions v on v.plan_id = p.id and v.version = p.current_version
    where p.active and (${planId}::uuid is null or p.id = ${planId}::uuid)
    order by p.family, v.initial_balance, p.slug`;
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    family: r.family,
    name: r.name,
    version: r.version,
    versionId: r.version_id,
    currency: r.currency,
    initialBalance: r.initial_balance,
    price: r.price,
    // Stored bodies were validated on the way in; parsing again types them and catches hand-edited rows.
    definition: planDefinitionSchema.parse(r.definition),
  }));
}

/** Number of plans, active or not. */
export async function countPlans(db: Db | Sql): Promise<number> {
  const sql = sqlOf(db);
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from plans`;
  return n;
}

/** One version of a plan as the back office sees it (versions are immutable once written). */
type PlanVersion = {
  version: number;
  versionId: string;
  currency: string;
  initialBalance: string;
  price: string;
  definition: PlanDefinition;
  createdAt: string;
  /** Accounts opened on this version (every phase and the funded stage; they keep it for life). */
  accounts: number;
};

/** A plan, active or not, with its current version's figures and every version (newest first). */
export type AdminPlan = Omit<ActivePlan, "definition"> & {
  active: boolean;
  /** Chosen by staff as "most popular"; wins over the figure computed from orders while it is on sale. */
  featured: boolean;
  definition: PlanDefinition;
  createdAt: string;
  updatedAt: string;
  versions: PlanVersion[];
};

/** Every plan (or the one `planId`), in the public listing's order: family, initial balance, slug. */
export async function listPlans(db: Db | Sql, planId: string | null = null): Promise<AdminPlan[]> {
  const sql = sqlOf(db);
  const plans = await sql<
    {
      id: string;
      slug: string;
      family: string;
      name: string;
      active: boolean;
      featured: boolean;
      current_version: number;
      created_at: Date;
      updated_at: Date;
    }[]
  >`
    select p.id, p.slug, p.family, p.name, p.active, p.featured, p.current_version, p.created_at,
           p.updated_at
    from plans p
    join plan_versions v on v.plan_id = p.id and v.version = p.current_version
    where ${planId}::uuid is null or p.id = ${planId}::uuid
    order by p.family, v.initial_balance, p.slug`;
  if (plans.length === 0) return [];
  const versions = await sql<
    {
      plan_id: string;
      id: string;
      version: number;
      currency: string;
      initial_balance: string;
      price: string;
      definition: unknown;
      created_at: Date;
      accounts: number;
    }[]
  >`
    select v.plan_id, v.id, v.version, v.currency, v.initial_balance, v.price, v.definition, v.created_at,
           (select count(*)::int from accounts a where a.plan_version_id = v.id) as accounts
    from plan_versions v
    where v.plan_id = any(${plans.map((p) => p.id)}::uuid[])
    order by v.plan_id, v.version desc`;
  const byPlan = Map.groupBy(versions, (v) => v.plan_id);
  return plans.map((p) => {
    const all: PlanVersion[] = (byPlan.get(p.id) ?? []).map((v) => ({
      version: v.version,
      versionId: v.id,
      currency: v.currency,
      initialBalance: v.initial_balance,
      price: v.price,
      definition: planDefinitionSchema.parse(v.definition),
      createdAt: v.created_at.toISOString(),
      accounts: v.accounts,
    }));
    const current = all.find((v) => v.version === p.current_version)!;
    return {
      id: p.id,
      slug: p.slug,
      family: p.family,
      name: p.name,
      active: p.active,
      featured: p.featured,
      version: current.version,
      versionId: current.versionId,
      currency: current.currency,
      initialBalance: current.initialBalance,
      price: current.price,
      definition: current.definition,
      createdAt: p.created_at.toISOString(),
      updatedAt: p.updated_at.toISOString(),
      versions: all,
    };
  });
}

/** Whether a plan already uses `slug` (the unique index still decides a race). */
export async function slugTaken(sql: Sql, slug: string): Promise<boolean> {
  const rows = await sql`select 1 from plans where slug = ${slug}`;
  return rows.length > 0;
}

/**
 * Adds version `current + 1` of plan `planId` with `body` and makes it current; the plan row is locked so two
 * edits cannot both claim the same number. The plan's name follows the new body. Null when there is no such
 * plan. Accounts already opened keep the version they reference.
 */
export async function insertPlanVersion(
  tx: postgres.TransactionSql,
  planId: string,
  body: PlanDefinition,
): Promise<{ version: number; versionId: string; previous: number } | null> {
  const [plan] = await tx<{ current_version: number }[]>`
    select current_version from plans where id = ${planId} for update`;
  if (!plan) return null;
  const [{ max }] = await tx<{ max: number }[]>`
    select max(version)::int as max from plan_versions where plan_id = ${planId}`;
  const version = max + 1;
  const [row] = await tx<{ id: string }[]>`
    insert into plan_versions (plan_id, version, currency, initial_balance, price, definition)
    values (${planId}, ${version}, ${body.currency}, ${body.initialBalance}, ${body.price}, ${tx.json(body)})
    returning id`;
  await tx`
    update plans set current_version = ${version}, name = ${body.name}, updated_at = now()
    where id = ${planId}`;
  return { version, versionId: row.id, previous: plan.current_version };
}

/**
 * Changes what is not versioned: whether the plan is on sale, its family (a listing group) and the "most
 * popular" flag (setting it here clears it on every other plan). Returns the values before the change, or
 * null when there is no such plan.
 */
export async function updatePlanFlags(
  tx: postgres.TransactionSql,
  planId: string,
  changes: { active?: boolean; family?: string; featured?: boolean },
): Promise<{ active: boolean; family: string; featured: boolean } | null> {
  const [before] = await tx<{ active: boolean; family: string; featured: boolean }[]>`
    select active, family, featured from plans where id = ${planId} for update`;
  if (!before) return null;
  if (changes.featured) {
    await tx`update plans set featured = false, updated_at = now() where featured and id <> ${planId}`;
  }
  await tx`
    update plans
    set active = ${changes.active ?? before.active}, family = ${changes.family ?? before.family},
        featured = ${changes.featured ?? before.featured}, updated_at = now()
    where id = ${planId}`;
  return before;
}

function sqlOf(db: Db | Sql): Sql {
  return typeof db === "function" ? db : db.sql;
}
