/**
 * The compiled rules an account is evaluated against: its plan version (immutable once sold) and its stage.
 * Compiled once per process per (version, stage) — versions never change, so the cache never goes stale.
 */
import type { Sql } from "../../db/client.ts";
import { compileRules, type EngineRules } from "../engine/rules.ts";
import { type PlanDefinition, planDefinitionSchema } from "../plans/definition.ts";

/** A 0-based phase index, or the funded stage. Accounts store phases 1-based (`accounts.phase`). */
export type Stage = number | "funded";

const cache = new Map<string, Promise<{ plan: PlanDefinition; rules: EngineRules }>>();

/** The rule version written into evidence: the plan version id and the stage, e.g. `…/phase-1`, `…/funded`. */
export function ruleVersionOf(planVersionId: string, stage: Stage): string {
  return `${planVersionId}/${stage === "funded" ? "funded" : `phase-${stage + 1}`}`;
}

/** The stage of an account row: `funded` accounts have no phase; challenge phases are stored 1-based. */
export function stageOf(account: { type: string; phase: number | null }): Stage {
  return account.type === "funded" || account.phase === null ? "funded" : account.phase - 1;
}

/** The plan body and compiled rules of `stage` of plan version `planVersionId`. */
export function rulesFor(
  sql: Sql,
  planVersionId: string,
  stage: Stage,
): Promise<{ plan: PlanDefinition; rules: EngineRules }> {
  const key = ruleVersionOf(planVersionId, stage);
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const [row] = await sql<{ definition: unknown }[]>`
        select definition from plan_versions where id = ${planVersionId}`;
      if (!row) throw new Error(`plan version ${planVersionId} does not exist`);
      const plan = planDefinitionSchema.parse(row.definition);
      return { plan, rules: compileRules(plan, stage, key) };
    })();
    cache.set(key, entry);
    // A failed lookup (e.g. a transaction that had not committed the version yet) must not stick.
    entry.catch(() => cache.delete(key));
  }
  return entry;
}
