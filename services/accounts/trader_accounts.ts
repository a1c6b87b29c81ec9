/**
 * What the trader's dashboard reads: the caller's accounts (`listOwnAccounts`) named the way a person
 * recognises them, and one account's page with the plan it was bought under.
 */
import type { Sql } from "../../db/client.ts";
import type { AccountSummary } from "./summary.ts";
import { type AccountView, loadAccountView } from "./view.ts";
import { rulesFor, stageOf } from "./rules.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { findReadableAccount, listOwnAccounts, type OwnAccount } from "./access.ts";
import type { Actor } from "../audit.ts";
import { NotFound } from "../../lib/errors.ts";
import type { SessionUser } from "../auth/sessions.ts";

/** An account with the names a person recognises it by. */
export interface ListedAccount extends OwnAccount {
  planName: string;
  /** "Challenge", "Verification", "Funded", …: the plan's own name for the stage. */
  stageName: string;
}

/** The user's accounts, newest first (at most 100: a trader holds a handful). */
export async function listTraderAccounts(sql: Sql, userId: string): Promise<ListedAccount[]> {
  return (await listOwnAccounts(sql, userId, 100)).map((account) => ({
    ...account,
    planName: account.planName ?? "Demo account",
    stageName: stageName(account.type, account.phase, account.phaseName),
  }));
}

export function stageName(type: AccountSummary["type"], phase: number | null, name: string | null): string {
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
