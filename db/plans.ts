/** Queries over `plans` and `plan_versions`. Money columns stay decimal strings end to end. */
import type postgres from "postgres";
import type { Db } from "./client.ts";
import { type PlanDefinition, planDefinitionSchema } from "../services/plans/definition.ts";

/** A sellable plan with its current version's figures. */
export type ActivePlan = {
  id: string;
  slug: string;
  family: string;
  name: string;
  version: number;
  /** The `plan_versions.id` a purchase should reference. */
  versionId: string;
  currency: string;
  initialBalance: string;
  price: string;
  definition: PlanDefinition;
};

type Sql = postgres.Sql | postgres.TransactionSql;

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
  return await selectActivePlans(typeof db === "function" ? db : db.sql, null);
}

/** One active plan at its current version, or null (unknown, or no longer sold). */
export async function findActivePlan(db: Db | Sql, planId: string): Promise<ActivePlan | null> {
  const [plan] = await selectActivePlans(typeof db === "function" ? db : db.sql, planId);
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
  const sql = typeof db === "function" ? db : db.sql;
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from plans`;
  return n;
}
