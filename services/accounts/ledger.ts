/**
 * The live engine path for trade/equity events (DESIGN §4 demo-sync): one batch, one transaction — lock the
 * account, drop what was seen, evaluate the rest in `at` order with the engine core, persist everything the
 * batch changed, settle the phase lifecycle — then publish the committed changes on the bus.
 *
 * Decisions a connector can rely on:
 * - **Idempotency**: an event id already applied to the account, or repeated inside the batch, is counted
 *   in `duplicates` and ignored (the first occurrence in a batch wins). Re-sending a whole batch is safe.
 * - **Late events**: a new event older than the account's last applied instant (an event, or a reset the
 *   scheduler rolled) rejects the whole batch with 409, naming each offending `events.<i>.at`; nothing is
 *   applied. Old duplicates are fine. Events more than 5 minutes in the future are a 422: one skewed clock
 *   must not push the account's time forward and lock out every real event.
 * - **Status**: `active`/`paused` accounts are evaluated. `failed`/`passed` are final: their events are still
 *   acknowledged and recorded (trades, balance, equity — the venue's liquidation after a breach is a fact
 *   the trade history and a later reinstatement need) but never evaluated, and the status never changes.
 *   Accounts that are not trading yet or any more (`pending`, `pending_kyc`, `closed`) get 409.
 * - **Pause** (daily loss with `action: pause`): the engine blocks the account until the next reset. The
 *   response carries `trading` — `allowed: false`, `until`, and `closeAll` with the positions to flatten —
 *   on every batch while it holds (level-triggered, so a lost response is repaired by the next one). A
 *   `trade_open` while blocked is applied (it happened on the venue) but reported in `violations`, stored
 *   flagged (`trades.opened_while_blocked`) and does not earn a trading day (engine rule).
 */
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { stateFromJson } from "../engine/state.ts";
import type { BreachEvidence } from "../engine/state.ts";
import { type SyncEvent, toEngineEvent } from "../engine/sync_events.ts";
import type { Deps } from "../deps.ts";
import { advance, directiveOf, type TradingDirective, type Violation } from "./advance.ts";
import { settleLifecycle, type Successor, successorFrom, successorOf } from "./lifecycle.ts";
import { publishChange } from "./open.ts";
import { breachesOf, lockAccount, persistChange } from "./persist.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { type AccountChange, type AccountSummary, summaryOf } from "./summary.ts";
import { isUuid } from "../../lib/validation.ts";

/** How far ahead of our clock an event may be stamped. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export interface SyncResult {
  accepted: number;
  duplicates: number;
  account: AccountSummary;
  /** Evidence of the breaches and pauses this batch caused (fails and pauses; see `action`). */
  breaches: BreachEvidence[];
  trading: TradingDirective;
  violations: Violation[];
  /** The account that continues a passed phase (next phase or funded), for the connector to switch to. */
  next: Successor | null;
}

const EVALUATED = new Set(["active", "paused"]);
const RECORD_ONLY = new Set(["failed", "passed"]);

/**
 * Applies one batch of validated sync events to an account (see the module notes for the contract).
 *
 * @param now our clock (injectable for tests): bounds future-stamped events and stamps `updated_at`.
 * @throws NotFound for an unknown account; Conflict for a late event or an account that is not trading;
 *   Unprocessable for events stamped too far in the future.
 */
export async function applySync(
  deps: Pick<Deps, "db" | "bus">,
  accountId: string,
  events: readonly SyncEvent[],
  now: Date = new Date(),
): Promise<SyncResult> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const batch = uniqueById(events);
  const future = batch.filter((b) => b.at > +now + MAX_FUTURE_SKEW_MS);
  if (future.length > 0) {
    throw new Unprocessable(Object.fromEntries(future.map((b) => [
      `events.${b.index}.at`,
      `is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of our clock (event "${b.event.id}")`,
    ])));
  }
  const ids = batch.map((b) => b.event.id);

  const { result, changes } = await deps.db.tx(async (tx) => {
    // Pipelined: the lookup of seen ids starts after the lock is granted, so it sees every batch committed
    // before ours (a new statement takes a new snapshot).
    const [account, seenRows] = await Promise.all([
      lockAccount(tx, accountId),
      tx<{ event_id: string }[]>`
        select event_id from account_events where account_id = ${accountId} and event_id = any(${ids})`,
    ]);
    if (!account) throw new NotFound("No such account.");
    if (!account.engine_state || !account.plan_version_id || !isSyncable(account.status)) {
      throw new Conflict(`The account is not trading (status ${account.status}); events are not accepted.`);
    }
    const seen = new Set(seenRows.map((r) => r.event_id));
    const fresh = batch.filter((b) => !seen.has(b.event.id)).sort((a, b) => a.at - b.at || a.index - b.index);
    const duplicates = events.length - fresh.length;
    const state = stateFromJson(account.engine_state);

    const late = fresh.filter((b) => b.at < state.lastEventAt);
    if (late.length > 0) {
      const last = new Date(state.lastEventAt).toISOString();
      throw new Conflict(
        `${late.length} event(s) are older than the account's last applied event (${last}); nothing was applied.`,
        Object.fromEntries(late.map((b) => [
          `events.${b.index}.at`,
          `is before ${last} (event "${b.event.id}")`,
        ])),
      );
    }

    const prior = account.status;
    if (fresh.length === 0) {
      const next = prior === "passed" ? await successorOf(tx, account) : null;
      const result: SyncResult = {
        accepted: 0,
        duplicates,
        account: summaryOf(account),
        breaches: [],
        trading: directiveOf(state),
        violations: [],
        next,
      };
      return { result, changes: [] as AccountChange[] };
    }

    const { rules } = await rulesFor(tx, account.plan_version_id, stageOf(account));
    const advanced = advance(
      state,
      rules,
      fresh.map((b) => ({ id: b.event.id, event: b.engine })),
    );
    const change = await persistChange(tx, {
      account,
      advanced,
      kind: "sync",
      events: fresh.map((b) => b.event),
      now,
    });
    const lifecycle = RECORD_ONLY.has(prior) ? [] : await settleLifecycle(tx, account, advanced.verdicts);
    const next = successorFrom(lifecycle) ?? (prior === "passed" ? await successorOf(tx, account) : null);
    const result: SyncResult = {
      accepted: fresh.length,
      duplicates,
      account: change.account,
      breaches: breachesOf(advanced),
      trading: directiveOf(advanced.state),
      violations: advanced.violations,
      next,
    };
    return { result, changes: [change, ...lifecycle] };
  });
  await publishChange(deps.bus, ...changes);
  return result;
}

/** Events keyed by their first occurrence, with their request index (for error fields) and engine form. */
function uniqueById(events: readonly SyncEvent[]) {
  const seen = new Set<string>();
  const out: { index: number; event: SyncEvent; engine: ReturnType<typeof toEngineEvent>; at: number }[] = [];
  events.forEach((event, index) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    const engine = toEngineEvent(event);
    out.push({ index, event, engine, at: engine.at });
  });
  return out;
}

function isSyncable(status: string): boolean {
  return EVALUATED.has(status) || RECORD_ONLY.has(status);
}
