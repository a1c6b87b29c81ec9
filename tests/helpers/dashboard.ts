/**
 * Arranging what the dashboard shows without the sync endpoint: an account's engine state moved on by real
 * engine events and persisted the way the live path does (state, status, equity in one transaction).
 */
import type postgres from "postgres";
import type { Db } from "../../db/client.ts";
import { rulesFor } from "../../services/accounts/rules.ts";
import { applyEvents } from "../../services/engine/evaluate.ts";
import { type AccountState, stateFromJson, stateToJson } from "../../services/engine/state.ts";
import { mark, open } from "../../services/engine/testing.ts";
import { fromMinor } from "../../services/money.ts";

/**
 * Fails phase-1 account `accountId` on its daily loss limit (it must have one, on equity): a losing open
 * XAUUSD position marks equity 200.00 below the day's floor — $94,800 against $95,000 on an FTMO-like $100,000
 * account. The trade opens at `at` (default: one hour after the account's last event), the mark 90 min later.
 */
export async function failOnDailyLoss(
  db: Db,
  accountId: string,
  planVersionId: string,
  at?: Date,
): Promise<AccountState> {
  return await db.tx(async (tx: postgres.TransactionSql) => {
    const [row] = await tx<{ engine_state: unknown }[]>`
      select engine_state from accounts where id = ${accountId} for update`;
    const { rules } = await rulesFor(tx, planVersionId, 0);
    const prior = stateFromJson(row.engine_state);
    if (prior.dailyFloor === null) throw new Error(`account ${accountId} has no daily loss limit`);
    const start = at?.getTime() ?? prior.lastEventAt + 3_600_000;
    const { state } = applyEvents(prior, [
      open("T-1", new Date(start).toISOString(), "XAUUSD"),
      mark(
        fromMinor(prior.dailyFloor - 20_000n),
        fromMinor(prior.balance),
        new Date(start + 90 * 60_000).toISOString(),
      ),
    ], rules);
    if (state.status !== "failed") throw new Error(`expected a breach, got ${state.status}`);
    const json = tx.json(stateToJson(state) as postgres.JSONValue);
    const lastEventAt = new Date(state.lastEventAt);
    await tx`
      update accounts
      set status = 'failed', equity = ${fromMinor(state.equity)}, balance = ${fromMinor(state.balance)},
          engine_state = ${json}, state_version = ${state.version}, last_event_at = ${lastEventAt}
      where id = ${accountId}`;
    return state;
  });
}
