/**
 * The KYC hook of the funded stage: a funded account opens `pending_kyc` (not evaluated, not rolled) and
 * starts trading when identity verification approves it. The KYC service (a later issue) calls this in the
 * transaction that records its approval, and publishes the returned change after commit.
 */
import type postgres from "postgres";
import { Conflict, NotFound } from "../../lib/errors.ts";
import { initialState } from "../engine/state.ts";
import { type AccountChange, recordChange } from "./change_log.ts";
import { accountRowOf, lockAccount, writeAccountRow } from "./persist.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { summaryOf } from "./summary.ts";

/**
 * Activates a `pending_kyc` funded account at `at`: evaluation starts then, from a fresh state at the initial
 * balance (days spent waiting for KYC are not trading days, and no floor could have moved meanwhile).
 *
 * @throws NotFound for an unknown account; Conflict unless it is a funded account waiting for KYC.
 */
export async function activateFundedAccount(
  tx: postgres.TransactionSql,
  accountId: string,
  at: Date,
): Promise<AccountChange> {
  const account = await lockAccount(tx, accountId);
  if (!account) throw new NotFound("No such account.");
  if (account.type !== "funded" || account.status !== "pending_kyc" || !account.plan_version_id) {
    throw new Conflict(
      `Only a funded account waiting for KYC can be activated; this one is ${account.status}.`,
    );
  }
  const { rules } = await rulesFor(tx, account.plan_version_id, stageOf(account));
  // Versions keep increasing across the restart, so SSE ids and the change log stay ordered.
  const state = { ...initialState(rules, at), version: account.state_version + 1 };
  const row = accountRowOf(account, state, new Date());
  await writeAccountRow(tx, row, state);
  const change: AccountChange = {
    accountId,
    stateVersion: state.version,
    previousVersion: account.state_version,
    kind: "lifecycle",
    at: at.toISOString(),
    account: summaryOf(row),
    verdicts: [],
  };
  await recordChange(tx, change);
  return change;
}
