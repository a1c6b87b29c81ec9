/**
 * What the trader's payout panel shows for one funded account (routes/dashboard/(_components)/payout_panel.tsx):
 * the readiness the engine computes, the request's figures for an amount, and the account's payout history.
 */
import type { Actor } from "../audit.ts";
import type { SessionUser } from "../auth/sessions.ts";
import type { Deps } from "../deps.ts";
import { type Readiness, requestProblem, traderShare } from "../engine/payout_readiness.ts";
import { fromMinor, toMinor } from "../money.ts";
import { listPayouts, type Payout } from "./queries.ts";
import { readinessFor } from "./requests.ts";

export type TraderPayout = Omit<Payout, "approvedBy">;

export interface PayoutPanelData {
  accountId: string;
  currency: string;
  readiness: Readiness;
  /** The account's payouts, newest first (at most 50). */
  history: TraderPayout[];
}

/** The panel's data for one of the caller's accounts (404 for anyone else's, audited). */
export async function payoutPanelData(
  deps: Pick<Deps, "db">,
  user: SessionUser,
  accountId: string,
  actor: Actor,
): Promise<PayoutPanelData> {
  const { accountId: id, ...readiness } = await readinessFor(deps, user, accountId, actor);
  const page = await listPayouts(deps.db.sql, { userId: user.id, accountId: id, limit: 50 });
  const history = page.items.map(({ approvedBy: _a, userEmail: _e, userName: _n, ...p }) => p);
  return { accountId: id, currency: readiness.currency, readiness, history };
}

/** The figures the trader confirms: the gross withdrawn, their share, what the firm keeps; or why not. */
export function quotePayout(
  readiness: Readiness,
  amount: string,
): { amount: string; share: string; firmKeeps: string; problem: string | null } {
  const gross = fromMinor(toMinor(amount));
  const share = traderShare(gross, readiness.splitPercent);
  return {
    amount: gross,
    share,
    firmKeeps: fromMinor(toMinor(gross) - toMinor(share)),
    problem: requestProblem(readiness, gross),
  };
}
