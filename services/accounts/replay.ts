/**
 * Replaying an account: its recorded events (`account_events`: trades, marks, payout withdrawals and
 * reversals) folded through the same path from the state its evaluation started with, up to the account's
 * last applied instant, must give the stored engine state — the same state hash. Staff actions that are not
 * events (a reinstatement) are outside what a replay reproduces.
 */
import type { Sql } from "../../db/client.ts";
import { NotFound } from "../../lib/errors.ts";
import { type EngineEvent, initialState, stateFromJson, stateHash } from "../engine/state.ts";
import { type SyncEvent, toEngineEvent } from "../engine/sync_events.ts";
import { advance } from "./advance.ts";
import type { RecordedEvent } from "./persist.ts";
import { rulesFor, stageOf } from "./rules.ts";

/** The engine form of a recorded event. */
export function engineEventOf(recorded: RecordedEvent): EngineEvent {
  if (recorded.type === "withdrawal" || recorded.type === "withdrawal_reversal") {
    const { type, payoutId, amount } = recorded;
    return { type, payoutId, amount, at: Date.parse(recorded.at) };
  }
  return toEngineEvent(recorded as SyncEvent);
}

/** The stored state's hash and the replayed one's (equal unless the account's history was edited). */
export async function replayAccount(
  sql: Sql,
  accountId: string,
): Promise<{ stored: string; replayed: string }> {
  const [account] = await sql<
    { engine_state: unknown; plan_version_id: string | null; type: string; phase: number | null }[]
  >`select engine_state, plan_version_id, type, phase from accounts where id = ${accountId}`;
  if (!account?.engine_state || !account.plan_version_id) throw new NotFound("No such evaluated account.");
  const stored = stateFromJson(account.engine_state);
  const rows = await sql<{ event_id: string; payload: RecordedEvent; state_version: number }[]>`
    select event_id, payload, state_version from account_events where account_id = ${accountId}
    order by state_version, at`;
  // Evaluation started at the latest lifecycle change (opening, or activation after KYC) before the events.
  const first = rows[0]?.state_version ?? stored.version + 1;
  const [{ version }] = await sql<{ version: number }[]>`
    select coalesce(max(state_version), 0)::int as version from account_changes
    where account_id = ${accountId} and kind = 'lifecycle' and state_version < ${first}`;
  const { rules } = await rulesFor(sql, account.plan_version_id, stageOf(account));
  const start = { ...initialState(rules, stored.startedAt), version };
  const events = rows.map((r) => ({ id: r.event_id, event: engineEventOf(r.payload) }));
  const replayed = advance(start, rules, events, stored.lastEventAt).state;
  return { stored: stateHash(stored), replayed: stateHash(replayed) };
}
