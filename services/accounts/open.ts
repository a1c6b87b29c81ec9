/**
 * Opening an evaluated account: a challenge phase once its predecessor passed (or the order was paid), or the
 * funded stage after the last phase. Runs inside the caller's transaction; the caller publishes the returned
 * change after commit (`publishChange` in change_log.ts).
 */
import type postgres from "postgres";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import { initialState, stateToJson } from "../engine/state.ts";
import { rulesFor, type Stage } from "./rules.ts";
import { loadSummary } from "./summary.ts";
import { type AccountChange, recordChange } from "./change_log.ts";
import { writeEquitySamples } from "../trading/equity.ts";

interface OpenAccountInput {
  userId: string;
  challengeId: string;
  planVersionId: string;
  stage: Stage;
  /** When evaluation starts (the first trading day is the one containing it). */
  at: Date;
}

/**
 * Inserts the account with its initial evaluated state (balance = equity = B0, floors from the rules) and its
 * first change-log row. Funded accounts open as `pending_kyc`: they are not evaluated or rolled until KYC
 * approval activates them (a later issue); challenge phases open `active`.
 */
export async function openAccount(
  tx: postgres.TransactionSql,
  input: OpenAccountInput,
): Promise<AccountChange> {
  const { rules } = await rulesFor(tx, input.planVersionId, input.stage);
  const [version] = await tx<{ currency: string }[]>`
    select currency from plan_versions where id = ${input.planVersionId}`;
  const state = initialState(rules, input.at);
  const funded = input.stage === "funded";
  const [{ id }] = await tx<{ id: string }[]>`
    insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance, equity,
                          plan_version_id, daily_floor, max_floor, engine_state, state_version, last_event_at,
                          next_reset_at)
    values (${input.userId}, ${input.challengeId}, ${funded ? null : (input.stage as number) + 1},
            ${funded ? "funded" : "challenge"}, ${funded ? "pending_kyc" : "active"}, ${version.currency},
            ${fromMinor(state.initialBalance)}, ${fromMinor(state.balance)}, ${fromMinor(state.equity)},
            ${input.planVersionId}, ${fromMinorOrNull(state.dailyFloor)}, ${fromMinorOrNull(state.maxFloor)},
            ${tx.json(stateToJson(state) as postgres.JSONValue)}, ${state.version}, ${input.at},
            ${new Date(state.day.closesAt)})
    returning id`;
  const change: AccountChange = {
    accountId: id,
    stateVersion: state.version,
    previousVersion: null,
    kind: "lifecycle",
    at: input.at.toISOString(),
    account: (await loadSummary(tx, id))!,
    verdicts: [],
  };
  // The equity history starts at B0, where the chart's line should start.
  const { balance, equity, dailyFloor, maxFloor } = state;
  await Promise.all([
    recordChange(tx, change),
    writeEquitySamples(tx, id, [{ at: +input.at, balance, equity, dailyFloor, maxFloor, breach: null }]),
  ]);
  return change;
}
