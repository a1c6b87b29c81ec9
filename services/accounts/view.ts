/**
 * An account as the trader and staff read it: the summary, the objectives of DESIGN §4 and the breach
 * evidence, computed from the persisted engine state with the same `objectives` the simulator uses.
 */
import type { Sql } from "../../db/client.ts";
import { type Objective, objectives } from "../engine/objectives.ts";
import { type BreachEvidence, stateFromJson } from "../engine/state.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { type LockedAccount, lockedColumns } from "./persist.ts";
import { type AccountSummary, summaryOf } from "./summary.ts";

export interface AccountView {
  account: AccountSummary;
  planVersionId: string;
  objectives: Objective[];
  breach: BreachEvidence | null;
}

/** The view of one account at `now`, or null. Not scoped: callers check ownership first. */
export async function loadAccountView(
  sql: Sql,
  accountId: string,
  now = new Date(),
): Promise<AccountView | null> {
  const [row] = await sql<LockedAccount[]>`
    select ${lockedColumns(sql)} from accounts where id = ${accountId}`;
  if (!row) return null;
  const account = summaryOf(row);
  if (!row.plan_version_id || !row.engine_state) {
    return { account, planVersionId: row.plan_version_id ?? "", objectives: [], breach: null };
  }
  const { rules } = await rulesFor(sql, row.plan_version_id, stageOf(row));
  const state = stateFromJson(row.engine_state);
  return {
    account,
    planVersionId: row.plan_version_id,
    objectives: objectives(state, rules, now),
    breach: state.breach,
  };
}
