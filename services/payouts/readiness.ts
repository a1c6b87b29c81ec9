/**
 * The facts a payout decision needs, gathered for the engine's `payoutReadiness` (services/engine): the
 * account's figures and open positions (its engine state), KYC, the funded terms of its plan version, the
 * first trade and the previous request. Pass the transaction that holds the account's lock when deciding.
 */
import type { Sql } from "../../db/client.ts";
import { fromMinor } from "../money.ts";
import { Conflict } from "../../lib/errors.ts";
import { payoutReadiness, type Readiness } from "../engine/payout_readiness.ts";
import { stateFromJson } from "../engine/state.ts";
import { kycStatus } from "../kyc/status.ts";
import { rulesFor } from "../accounts/rules.ts";
import type { LockedAccount } from "../accounts/persist.ts";

/** Readiness of `account` (a row with its engine state) as seen in `timeZone` at `now`. */
export async function readinessOf(
  sql: Sql,
  account: LockedAccount,
  timeZone: string,
  now = new Date(),
): Promise<Readiness> {
  if (!account.plan_version_id) throw new Conflict("Payouts are made from funded accounts only.");
  const planVersionId = account.plan_version_id;
  const state = account.engine_state ? stateFromJson(account.engine_state) : null;
  const [kyc, terms, [trade], [last], [open]] = await Promise.all([
    kycStatus(sql, account.user_id),
    rulesFor(sql, planVersionId, "funded").then(({ plan }) => plan.funded),
    sql<{ at: Date | null }[]>`select min(opened_at) as at from trades where account_id = ${account.id}`,
    sql<{ at: Date | null }[]>`
      select max(requested_at) as at from payouts where account_id = ${account.id} and status <> 'rejected'`,
    sql<{ id: string; requested_at: Date }[]>`
      select id, requested_at from payouts where account_id = ${account.id} and status in ('pending', 'approved')
      limit 1`,
  ]);
  return payoutReadiness({
    accountType: account.type,
    accountStatus: account.status,
    kyc,
    initialBalance: account.initial_balance,
    balance: state ? fromMinor(state.balance) : account.balance,
    openPositions: state ? Object.keys(state.positions).length : 0,
    terms,
    firstTradeAt: trade?.at ?? null,
    lastRequestAt: last?.at ?? null,
    openRequest: open ? { id: open.id, requestedAt: open.requested_at } : null,
    timeZone,
    currency: account.currency,
    now,
  });
}
