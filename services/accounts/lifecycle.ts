/**
 * What a phase verdict does to the challenge around the account (issue 4, "Purchase and lifecycle"): passing
 * a phase opens the next phase's account, passing the last opens the funded account (`pending_kyc` until KYC
 * approval activates it); a failure ends the challenge. Runs in the transaction that persisted the verdict,
 * so the verdict and its consequences commit together.
 */
import type { Sql, Tx } from "../../db/client.ts";
import type { Verdict } from "../engine/state.ts";
import { openAccount } from "./open.ts";
import { rulesFor, stageOf } from "./rules.ts";
import type { AccountChange } from "./change_log.ts";

/** The account a verdict is about (any `LockedAccount` fits). */
interface LifecycleAccount {
  id: string;
  user_id: string;
  challenge_id: string | null;
  phase: number | null;
  type: string;
  plan_version_id: string | null;
}

/** The account that continues a passed phase, as a connector needs it to switch over. */
export interface Successor {
  accountId: string;
  phase: number | null;
  type: string;
  status: string;
}

/**
 * Applies the lifecycle consequences of `verdicts` and returns the change rows of accounts it opened (the
 * caller publishes them after commit). Only challenge phases move a challenge: a funded account cannot pass,
 * and its failure leaves the (already passed) challenge as it is.
 */
export async function settleLifecycle(
  tx: Tx,
  account: LifecycleAccount,
  verdicts: readonly Verdict[],
): Promise<AccountChange[]> {
  if (account.type !== "challenge" || !account.challenge_id || !account.plan_version_id) return [];
  const passed = verdicts.find((v) => v.type === "passed");
  const breach = verdicts.find((v) => v.type === "breach");
  if (breach) {
    // The challenge's end must not precede its start (a constraint); `greatest` skips a null start.
    await tx`
      update challenges set status = 'failed', ended_at = greatest(started_at, ${breach.evidence.at}::timestamptz)
      where id = ${account.challenge_id} and status = 'active'`;
    return [];
  }
  if (!passed) return [];

  const stage = stageOf(account) as number;
  const { plan } = await rulesFor(tx, account.plan_version_id, stage);
  const last = stage + 1 >= plan.phases.length;
  const at = new Date(passed.at);
  // The next stage starts when this one passed (not when the batch happened to be processed), so a replayed
  // backlog gives the same accounts and trading days.
  const opened = await openAccount(tx, {
    userId: account.user_id,
    challengeId: account.challenge_id,
    planVersionId: account.plan_version_id,
    stage: last ? "funded" : stage + 1,
    at,
  });
  if (last) {
    await tx`
      update challenges set status = 'passed', ended_at = greatest(started_at, ${at})
      where id = ${account.challenge_id}`;
  } else {
    await tx`update challenges set current_phase = ${stage + 2} where id = ${account.challenge_id}`;
  }
  return [opened];
}

/** The account opened after `account` passed (next phase or funded), or null. */
export async function successorOf(
  sql: Sql,
  account: LifecycleAccount,
): Promise<Successor | null> {
  if (account.type !== "challenge" || !account.challenge_id || account.phase === null) return null;
  const [row] = await sql<{ id: string; phase: number | null; type: string; status: string }[]>`
    select id, phase, type, status from accounts
    where challenge_id = ${account.challenge_id}
      and (phase = ${account.phase + 1} or type = 'funded')
    order by phase nulls last, created_at
    limit 1`;
  return row ? { accountId: row.id, phase: row.phase, type: row.type, status: row.status } : null;
}

/** The successor named by lifecycle changes just made, in the same shape. */
export function successorFrom(changes: readonly AccountChange[]): Successor | null {
  const opened = changes.find((c) => c.kind === "lifecycle");
  if (!opened) return null;
  const a = opened.account;
  return { accountId: a.id, phase: a.phase, type: a.type, status: a.status };
}
