/**
 * Demo data for payouts (issue #12): the demo trader's passed challenge has a funded account, active after an
 * approved KYC, that traded, had one payout paid, traded on and is eligible for the next — all through the
 * same engine path as live events, so the account's events replay to its state.
 */
import type { Tx } from "../../db/client.ts";
import { activateFundedAccount } from "../accounts/activate.ts";
import { advance } from "../accounts/advance.ts";
import { openAccount } from "../accounts/open.ts";
import { lockAccount, persistChange } from "../accounts/persist.ts";
import { rulesFor } from "../accounts/rules.ts";
import { stateFromJson } from "../engine/state.ts";
import { type SyncEvent, toEngineEvent } from "../engine/sync_events.ts";
import { traderShare } from "../engine/payout_readiness.ts";
import { applyLedger } from "./ledger.ts";

const DAY = 86_400_000;

/** Seeds the demo trader's funded account and its payout history, in the seed's transaction. */
export async function seedPayoutDemo(
  tx: Tx,
  input: { traderId: string; adminId: string; planVersionId: string; now?: Date },
): Promise<{ accountId: string }> {
  const now = (input.now ?? new Date()).getTime();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY);
  const [{ id: challengeId }] = await tx<{ id: string }[]>`
    insert into challenges (user_id, plan_version_id, status, started_at, ended_at)
    values (${input.traderId}, ${input.planVersionId}, 'passed', ${at(90)}, ${at(62)}) returning id`;
  const { accountId } = await openAccount(tx, {
    userId: input.traderId,
    challengeId,
    planVersionId: input.planVersionId,
    stage: "funded",
    at: at(62),
  });
  await tx`
    insert into kyc_submissions (user_id, status, submitted_at, decided_at, decided_by)
    values (${input.traderId}, 'approved', ${at(61)}, ${at(60)}, ${input.adminId})`;
  await activateFundedAccount(tx, accountId, at(60));
  const { rules, plan } = await rulesFor(tx, input.planVersionId, "funded");

  const trade = async (id: string, pnl: string, daysAgo: number) => {
    const open = at(daysAgo).toISOString();
    const close = new Date(now - daysAgo * DAY + 3_600_000).toISOString();
    const events: SyncEvent[] = [
      {
        id: `${id}-o`,
        type: "trade_open",
        at: open,
        tradeId: id,
        symbol: "EURUSD",
        direction: "buy",
        volume: "1.00",
        price: "1.08000",
      },
      { id: `${id}-c`, type: "trade_close", at: close, tradeId: id, price: "1.09000", pnl },
    ];
    const account = (await lockAccount(tx, accountId))!;
    const advanced = advance(
      stateFromJson(account.engine_state),
      rules,
      events.map((e) => ({ id: e.id, event: toEngineEvent(e) })),
    );
    await persistChange(tx, { account, advanced, kind: "sync", events, now: new Date(close) });
  };

  await trade("demo-1", "2400.00", 45);
  await trade("demo-2", "1600.00", 40);
  // The first payout: requested 30 days ago, approved and paid; the interval has passed since.
  const amount = "2000.00";
  const share = traderShare(amount, plan.funded.profitSplitPercent);
  const [{ id: payoutId }] = await tx<{ id: string }[]>`
    insert into payouts (user_id, account_id, amount, currency, status, trader_share, split_percent,
                         approvals_required, requested_at, approved_at, paid_at, processed_at, reference)
    select ${input.traderId}, ${accountId}, ${amount}, currency, 'paid', ${share},
           ${plan.funded.profitSplitPercent}, 1, ${at(30)}, ${at(29)}, ${at(28)}, ${at(28)}, 'DEMO-0001'
    from accounts where id = ${accountId}
    returning id`;
  await applyLedger(
    tx,
    (await lockAccount(tx, accountId))!,
    { payoutId, amount, type: "withdrawal" },
    at(30),
  );
  await tx`insert into payout_approvals (payout_id, staff_id, at) values (${payoutId}, ${input.adminId}, ${
    at(29)
  })`;
  await trade("demo-3", "1500.00", 10);
  return { accountId };
}
