/**
 * What the trader's dashboard reads. The list is `listOwnAccounts` (services/accounts/access.ts) joined with
 * the names of the plan and stage each account was bought under; it lives here until that service offers the
 * names, and selects the same columns `summaryOf` maps, so the shapes cannot drift.
 */
import type postgres from "postgres";
import { type AccountRow, type AccountSummary, summaryOf } from "../../../services/accounts/summary.ts";
import { type AccountView, loadAccountView } from "../../../services/accounts/view.ts";
import { rulesFor, stageOf } from "../../../services/accounts/rules.ts";
import type { PlanDefinition } from "../../../services/plans/definition.ts";
import { findReadableAccount } from "../../../services/accounts/access.ts";
import type { Actor } from "../../../services/audit.ts";
import { NotFound } from "../../../lib/errors.ts";
import type { SessionUser } from "../../../services/auth/sessions.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** An account with the names a person recognises it by. */
export interface ListedAccount extends AccountSummary {
  planName: string;
  /** "Challenge", "Verification", "Funded", …: the plan's own name for the stage. */
  stageName: string;
}

/** The user's accounts, newest first (at most 100: a trader holds a handful; the API pages the rest). */
export async function listTraderAccounts(sql: Sql, userId: string): Promise<ListedAccount[]> {
  const rows = await sql<(AccountRow & { plan_name: string | null; phase_name: string | null })[]>`
    select a.id, a.user_id, a.challenge_id, a.phase, a.type, a.status, a.currency, a.initial_balance,
           a.balance, a.equity, a.daily_floor, a.max_floor, a.state_version, a.last_event_at,
           a.next_reset_at, a.updated_at,
           v.definition ->> 'name' as plan_name,
           v.definition -> 'phases' -> (a.phase - 1) ->> 'name' as phase_name
    from accounts a
    left join plan_versions v on v.id = a.plan_version_id
    where a.user_id = ${userId}
    order by a.created_at desc, a.id
    limit 100`;
  return rows.map((row) => ({
    ...summaryOf(row),
    planName: row.plan_name ?? "Demo account",
    stageName: stageName(row.type, row.phase, row.phase_name),
  }));
}

function stageName(type: AccountSummary["type"], phase: number | null, name: string | null): string {
  if (type === "funded") return "Funded";
  if (type === "demo") return "Demo";
  return name ? `Phase ${phase}: ${name}` : `Phase ${phase}`;
}

/** An account page's data: the view, and the plan it was bought under (for the rules in words). */
export interface TraderAccount {
  view: AccountView;
  plan: PlanDefinition | null;
  stage: number | "funded";
  stageName: string;
}

/**
 * The account `accountId` as `user` may see it: their own, or any account for staff who may read every
 * account (`findReadableAccount` decides, and audits a refused read). Anything else is NotFound, whether the
 * account exists or not, so ids cannot be probed.
 */
export async function findViewableAccount(
  sql: Sql,
  user: SessionUser,
  actor: Actor,
  accountId: string,
  now: Date,
): Promise<TraderAccount> {
  await findReadableAccount(sql, { id: user.id, role: user.role, actor }, accountId);
  const view = await loadAccountView(sql, accountId, now);
  if (!view) throw new NotFound();
  const stage = stageOf(view.account);
  const plan = view.planVersionId ? (await rulesFor(sql, view.planVersionId, stage)).plan : null;
  const phaseName = plan && stage !== "funded" ? plan.phases[stage]?.name ?? null : null;
  return { view, plan, stage, stageName: stageName(view.account.type, view.account.phase, phaseName) };
}
