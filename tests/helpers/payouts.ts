/**
 * A funded account ready for a payout, arranged through the real paths: the plan (funded stage with FTMO-like
 * rules: 5 % daily loss from the start-of-day balance, 10 % static), the account opened and activated after
 * an approved KYC submission, then a winning trade synced `tradedDaysAgo` days ago.
 */
import type { Deps } from "../../services/deps.ts";
import { activateFundedAccount } from "../../services/accounts/activate.ts";
import { applySync } from "../../services/accounts/sync.ts";
import type { PlanDefinition } from "../../services/plans/definition.ts";
import { ftmo100k } from "../../services/engine/testing.ts";
import { openTestAccount } from "./accounts.ts";
import { sync } from "./sync.ts";

export function fundedPlan(overrides: Partial<PlanDefinition["funded"]> = {}): PlanDefinition {
  return {
    ...ftmo100k(),
    funded: {
      profitSplitPercent: "80",
      minPayout: "100.00",
      payoutIntervalDays: 14,
      dailyLoss: { percent: "5", of: "initial", anchor: "sod_balance", on: "equity", action: "fail" },
      maxLoss: { percent: "10", mode: "static", lockAtOffset: null },
      ...overrides,
    },
  };
}

/** Approves the user's KYC directly (a submission row as the KYC review leaves it). */
export async function approveKyc(deps: Pick<Deps, "db">, userId: string): Promise<void> {
  await deps.db.sql`
    insert into kyc_submissions (user_id, status, submitted_at, decided_at)
    values (${userId}, 'approved', now() - interval '40 days', now() - interval '40 days')`;
}

/** A funded, active account of `userId` with `profit` realized `tradedDaysAgo` days ago. */
export async function fundedWithProfit(
  deps: Pick<Deps, "db" | "bus">,
  userId: string,
  options: { profit?: string; tradedDaysAgo?: number; plan?: PlanDefinition; kyc?: boolean } = {},
): Promise<{ accountId: string; planVersionId: string }> {
  const day = 86_400_000;
  const traded = Date.now() - (options.tradedDaysAgo ?? 20) * day;
  const { accountId, planVersionId } = await openTestAccount(deps.db, userId, {
    plan: options.plan ?? fundedPlan(),
    stage: "funded",
    at: new Date(traded - 10 * day),
  });
  await deps.db.tx((tx) => activateFundedAccount(tx, accountId, new Date(traded - 10 * day)));
  if (options.kyc !== false) await approveKyc(deps, userId);
  const iso = (t: number) => new Date(t).toISOString();
  await applySync(deps, accountId, [
    sync.open("t1", iso(traded)),
    sync.close("t1", options.profit ?? "3000.00", iso(traded + 60_000)),
  ]);
  return { accountId, planVersionId };
}
