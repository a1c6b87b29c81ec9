/**
 * Arranging evaluated accounts without going through checkout: a plan (unique slug), a paid-looking challenge
 * and its phase-1 account, opened with the same `openAccount` the purchase path uses.
 */
import type { Db } from "../../db/client.ts";
import { insertPlan } from "../../services/plans/queries.ts";
import type { PlanDefinition } from "../../services/plans/definition.ts";
import { openAccount } from "../../services/accounts/open.ts";
import type { AccountChange } from "../../services/accounts/change_log.ts";
import type { Stage } from "../../services/accounts/rules.ts";
import { ftmo100k } from "../../services/engine/testing.ts";

export interface TestAccount {
  accountId: string;
  challengeId: string;
  planId: string;
  planVersionId: string;
  opened: AccountChange;
}

/** Inserts a plan `plan` (default: FTMO-like 100K) and opens `stage` (default phase 1) for `userId` at `at`. */
export async function openTestAccount(
  db: Db,
  userId: string,
  options: { plan?: PlanDefinition; stage?: Stage; at?: Date } = {},
): Promise<TestAccount> {
  const body = options.plan ?? ftmo100k();
  const slug = `test-${crypto.randomUUID().slice(0, 8)}`;
  return await db.tx(async (tx) => {
    const { planId, versionId } = await insertPlan(tx, { slug, family: "Test", body });
    const [{ id: challengeId }] = await tx<{ id: string }[]>`
      insert into challenges (user_id, plan_version_id, status, started_at)
      values (${userId}, ${versionId}, 'active', now()) returning id`;
    const opened = await openAccount(tx, {
      userId,
      challengeId,
      planVersionId: versionId,
      stage: options.stage ?? 0,
      at: options.at ?? new Date(),
    });
    return { accountId: opened.accountId, challengeId, planId, planVersionId: versionId, opened };
  });
}
