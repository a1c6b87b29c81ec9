/**
 * A payout's money on the account (DESIGN §3.2): the withdrawal at request and its reversal on rejection go
 * through the live path like any trade event — the engine core under the account's row lock, the event
 * recorded in `account_events` (so a replay reproduces the state), the change logged and streamed as kind
 * `withdrawal` with a `withdrawal` / `withdrawal_reversed` verdict, never as a loss.
 */
import type { Tx } from "../../db/client.ts";
import { Conflict } from "../../lib/errors.ts";
import { advance } from "../accounts/advance.ts";
import type { AccountChange } from "../accounts/change_log.ts";
import type { LockedAccount } from "../accounts/persist.ts";
import { persistChange } from "../accounts/write_change.ts";
import { rulesFor, stageOf } from "../accounts/rules.ts";
import { type LedgerEvent, stateFromJson } from "../engine/state.ts";
import { isoAt } from "../time.ts";

/** The `account_events` id of a payout's ledger event: one withdrawal and at most one reversal per payout. */
export function ledgerEventId(payoutId: string, type: LedgerEvent["type"]): string {
  return `payout:${payoutId}:${type}`;
}

/**
 * Applies a withdrawal or reversal of `amount` to a locked account, at `now` (or the account's last applied
 * instant if that is later: the engine never goes backwards), and persists it. Returns the change to publish
 * after commit.
 *
 * @throws Conflict when the account has no engine state, or when the event would breach a rule: a
 *   withdrawal never causes a breach by itself, so such a request is refused rather than failing the account.
 */
export async function applyLedger(
  tx: Tx,
  account: LockedAccount,
  input: { payoutId: string; amount: string; type: LedgerEvent["type"] },
  now: Date,
): Promise<AccountChange> {
  if (!account.engine_state || !account.plan_version_id) {
    throw new Conflict(`The account is not trading (status ${account.status}).`);
  }
  const state = stateFromJson(account.engine_state);
  const at = Math.max(now.getTime(), state.lastEventAt);
  const { rules } = await rulesFor(tx, account.plan_version_id, stageOf(account));
  const id = ledgerEventId(input.payoutId, input.type);
  const event: LedgerEvent = { type: input.type, payoutId: input.payoutId, amount: input.amount, at };
  const advanced = advance(state, rules, [{ id, event }]);
  if (advanced.verdicts.some((v) => v.type === "breach" || v.type === "paused")) {
    throw new Conflict("This amount would take the account below a loss limit; request less.");
  }
  return await persistChange(tx, {
    account,
    advanced,
    kind: "withdrawal",
    events: [{ id, type: input.type, at: isoAt(at), payoutId: input.payoutId, amount: input.amount }],
    now,
  });
}
