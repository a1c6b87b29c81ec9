/**
 * The sync path: applying a connector's trade/equity events to an account (DESIGN §4 demo-sync). One batch,
 * one transaction — lock the account, drop what was seen, evaluate the rest in `at` order with the engine
 * core, persist everything the batch changed, settle the phase lifecycle — then publish the committed changes.
 *
 * Decisions a connector can rely on:
 * - **An answer per event**: `results` gives each event of the request, in request order, its outcome —
 *   `applied`, `duplicate` or `late` (with the reason) — and `accepted`, `duplicates` and `late` count them.
 * - **Idempotency**: an event id already applied to the account, or repeated inside the batch, is a
 *   `duplicate` and ignored (the first occurrence in a batch wins). Re-sending a whole batch is safe, and so
 *   is a connector's sliding window (old events re-sent beside new ones): the new ones are applied.
 * - **Late events**: a new event older than the account's last applied instant (an event, or a reset the
 *   scheduler rolled) is `late`: the account's time has moved past it and rules are never evaluated
 *   backwards (DESIGN §3), so it is neither applied nor recorded (a re-send is `late` again); the batch's
 *   other events are applied.
 *   Events more than 5 minutes in the future are a 422 for the whole batch: one skewed clock must not push
 *   the account's time forward and make every real event late.
 * - **Size**: a batch has at most `MAX_SYNC_EVENTS` events (the route refuses more with 422), and the engine
 *   folds it in time slices, so a maximal batch does not hold the event loop (other requests keep flowing).
 * - **Status**: live accounts (`active`/`paused`, `isLive` of the engine state) are evaluated. `failed`/`passed` are final: their events are still
 *   acknowledged and recorded (trades, balance, equity — the venue's liquidation after a breach is a fact
 *   the trade history and a later reinstatement need) but never evaluated, and the status never changes.
 *   Accounts that are not trading yet or any more (`pending`, `pending_kyc`, `closed`) get 409.
 * - **Pause** (daily loss with `action: pause`): the engine blocks the account until the next reset. The
 *   response carries `trading` — `allowed: false`, `until`, and `closeAll` with the positions to flatten —
 *   on every batch while it holds (level-triggered, so a lost response is repaired by the next one). A
 *   `trade_open` while blocked is applied (it happened on the venue) but reported in `violations`, stored
 *   flagged (`trades.opened_while_blocked`) and does not earn a trading day (engine rule).
 * - **One trade source** (services/accounts/trade_source.ts): an account the built-in venue trades (its first
 *   trade was a venue fill) gets 409 `account_on_venue` and nothing is applied; the first accepted batch on an
 *   account with no trade yet makes it the connector's, in the same write. The platform a batch names is
 *   stored with it (services/accounts/trade_platform.ts: its name fixed, its version following the connector;
 *   a batch naming another platform is a 409 `account_on_other_platform`, nothing applied).
 * - **Self-locks** (the trader's own limits, services/self_locks/): while one holds on a live account,
 *   `trading` says `allowed: false`, `reason: "self_locked"`, `until` and `message`, without `closeAll`.
 */
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { type AccountState, isLive, stateFromJson } from "../engine/state.ts";
import type { BreachEvidence } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { type BatchOutcomes, type EventResult, sortBatch, uniqueById } from "./sync_batch.ts";
import type { Deps } from "../deps.ts";
import { advanceSliced, directiveOf, type TradingDirective, type Violation } from "./advance.ts";
import { settleLifecycle, type Successor, successorFrom, successorOf } from "./lifecycle.ts";
import { type AccountChange, publishChange } from "./change_log.ts";
import { breachesOf, lockAccount, type LockedAccount } from "./persist.ts";
import { persistChange } from "./write_change.ts";
import type { Sql, Tx } from "../../db/client.ts";
import { readForSync } from "./sync_fast.ts";
import { changeAndRow } from "./persist.ts";
import { writeGrouped } from "./sync_group.ts";
import { type CachedAccount, cachedAccount, forgetAccount, rememberAccount } from "./sync_cache.ts";
import { limitsOf, notificationsOf } from "../notifications/derive.ts";
import { effectiveAt, hasAnyLock } from "../self_locks/settings.ts";
import { recordSync } from "../metrics/sync.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { type AccountSummary, summaryOf } from "./summary.ts";
import { isUuid } from "../../lib/validation.ts";
import { withSelfLocks } from "../self_locks/directive.ts";
import { AccountOnVenue, claimForConnector, storedPlatform } from "./trade_source.ts";
import { AccountOnOtherPlatform, type NamedPlatform, platformStep } from "./trade_platform.ts";

/** How far ahead of our clock an event may be stamped. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Events in one batch at most. A connector sends what happened since its last call (seconds to minutes of
 * trading); 1,000 events is hours of a busy account, and keeps a batch's fold to a few hundred ms of CPU.
 */
export const MAX_SYNC_EVENTS = 1_000;

/** What became of one event of a batch. */
export type { EventResult };

export interface SyncResult extends BatchOutcomes {
  account: AccountSummary;
  /** Evidence of the breaches and pauses this batch caused (fails and pauses; see `action`). */
  breaches: BreachEvidence[];
  trading: TradingDirective;
  violations: Violation[];
  /** The account that continues a passed phase (next phase or funded), for the connector to switch to. */
  next: Successor | null;
}

/** Final accounts: their events are recorded, never evaluated (see the module notes). */
const RECORD_ONLY = new Set(["failed", "passed"]);

/**
 * Applies one batch of validated sync events to an account (see the module notes for the contract).
 *
 * @param now our clock (injectable for tests): bounds future-stamped events and stamps `updated_at`.
 * @param platform the platform the connector named (`platform` of the request), if any.
 * @throws NotFound for an unknown account; Conflict for an account that is not trading; AccountOnVenue (409)
 *   for an account the built-in venue trades; AccountOnOtherPlatform (409) for a batch naming another platform
 *   than the account's; Unprocessable for
 *   events stamped too far in the future or more than `MAX_SYNC_EVENTS` of them.
 */
export async function applySync(
  deps: Pick<Deps, "db" | "bus">,
  accountId: string,
  events: readonly SyncEvent[],
  now: Date = new Date(),
  platform?: NamedPlatform,
): Promise<SyncResult> {
  const started = performance.now(); // metrics: batch time until committed
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  if (events.length > MAX_SYNC_EVENTS) throw new Unprocessable("events", `at most ${MAX_SYNC_EVENTS} events`);
  const batch = uniqueById(events);
  const future = batch.filter((b) => b.at > +now + MAX_FUTURE_SKEW_MS);
  if (future.length > 0) {
    throw new Unprocessable(Object.fromEntries(future.map((b) => [
      `events.${b.index}.at`,
      `is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of our clock (event "${b.event.id}")`,
    ])));
  }
  const ids = batch.map((b) => b.event.id);

  // Most batches take two statements (sync_fast.ts; the write shared with other requests' batches when they
  // are ready together, sync_group.ts), and one statement when this process wrote the account last
  // (sync_cache.ts: the write alone, its checks standing in for the read); one whose account changed between
  // them starts over, and a second miss — or a batch with consequences beyond the account's figures — takes
  // the transaction.
  const sql = deps.db.sql;
  const cached = cachedAccount(sql, accountId);
  if (cached) {
    // An error too is only the read's to give: from a stale row it could be one the account would not cause.
    const fast = await syncFast(sql, accountId, ids, events, batch, now, platform, cached).catch(() =>
      "changed" as const
    );
    if (typeof fast !== "string") {
      await publishChange(deps.bus, ...fast.changes);
      recordSync(fast.result, started);
      return fast.result;
    }
    // Stale, or not a plain batch: whatever it was, the read finds out, as it would have without the cache.
    forgetAccount(sql, accountId);
  }
  for (let attempt = 0; attempt < FAST_ATTEMPTS; attempt++) {
    const fast = await syncFast(sql, accountId, ids, events, batch, now, platform, null);
    if (fast === "changed") continue;
    if (fast === "transaction") break;
    await publishChange(deps.bus, ...fast.changes);
    recordSync(fast.result, started);
    return fast.result;
  }

  const { result, changes } = await deps.db.tx(async (tx) => {
    // Pipelined: the lookup of seen ids starts after the lock is granted, so it sees every batch committed
    // before ours (a new statement takes a new snapshot).
    // The stored platform only when the batch names one (the venue's own path never does).
    const [account, seenRows, stored] = await Promise.all([
      lockAccount(tx, accountId),
      tx<{ event_id: string }[]>`
        select event_id from account_events where account_id = ${accountId} and event_id = any(${ids})`,
      platform ? storedPlatform(tx, accountId) : null,
    ]);
    if (account?.trade_source === "venue") throw new AccountOnVenue();
    const step = platformStep(stored, platform);
    if (step.kind === "conflict") throw new AccountOnOtherPlatform(step.stored);
    const locked = await syncLocked(tx, account, new Set(seenRows.map((r) => r.event_id)), events, now);
    // Under the lock the venue's fill also takes.
    if (account) await claimForConnector(tx, account, locked.result.accepted, step);
    return locked;
  });
  await publishChange(deps.bus, ...changes);
  recordSync(result, started);
  return result;
}

/** Tries of the two-statement path before the transaction (a miss means another writer got in between). */
const FAST_ATTEMPTS = 2;

/**
 * The two-statement path (sync_fast.ts): read, evaluate, write if the account is unchanged. Returns
 * `changed` when another writer changed the account between the read and the write (nothing was written),
 * and `transaction` (nothing written) for what only `syncLocked` does: errors, a passed account's
 * successor, self-locks to judge, verdicts with consequences (breach, pause, pass) and notifications.
 *
 * A batch whose `platform` would change what the account stores takes the transaction too (a first platform
 * or a new version: rare), and one naming another platform is refused as the transaction would.
 *
 * With `cached` (the account as this process last wrote it, sync_cache.ts) there is no read: the batch is
 * evaluated from it and written only if the write's checks confirm what the read would have said; any other
 * outcome is `changed` (nothing written, and nothing answered from the cache but a written batch).
 */
async function syncFast(
  sql: Sql,
  accountId: string,
  ids: readonly string[],
  events: readonly SyncEvent[],
  unique: ReturnType<typeof uniqueById>,
  now: Date,
  platform: NamedPlatform | undefined,
  cached: CachedAccount | null,
): Promise<Omit<LockedSync, "state"> | "changed" | "transaction"> {
  const read = cached
    ? {
      account: cached.account,
      rowVersion: cached.rowVersion,
      seen: NONE_SEEN,
      selfLocks: null,
      platform: cached.platform,
    }
    : await readForSync(sql, accountId, ids);
  if (!read) return "transaction";
  // Anything but a plain batch written goes back to the read (see above).
  const notPlain = cached ? "changed" : "transaction";
  const { account } = read;
  // Final once set: the read that sees the venue's source is as good as the lock's.
  if (account.trade_source === "venue") {
    if (cached) return "changed";
    throw new AccountOnVenue();
  }
  const step = platformStep(read.platform, platform);
  if (step.kind === "conflict") {
    if (cached) return "changed";
    throw new AccountOnOtherPlatform(step.stored);
  }
  if (step.kind === "write") return notPlain;
  if (!(cached || account.engine_state) || !account.plan_version_id || !isSyncable(account.status)) {
    return notPlain;
  }
  if (
    account.status === "passed" || (read.selfLocks && hasAnyLock(effectiveAt(read.selfLocks, now).settings))
  ) {
    return notPlain;
  }
  const state = cached ? cached.state : stateFromJson(account.engine_state);
  const { fresh, outcomes } = sortBatch(events, read.seen, state, unique);
  if (fresh.length === 0) {
    // Duplicates or late events: only the read can tell which (a seen event is a duplicate even when late).
    if (cached) return "changed";
    const result: SyncResult = {
      ...outcomes,
      account: summaryOf(account),
      breaches: [],
      trading: directiveOf(state),
      violations: [],
      next: null,
    };
    return { result, changes: [] };
  }
  const { rules } = await rulesFor(sql, account.plan_version_id, stageOf(account));
  const advanced = await advanceSliced(state, rules, fresh.map((b) => ({ id: b.event.id, event: b.engine })));
  if (advanced.verdicts.some((v) => CONSEQUENTIAL.has(v.type))) return notPlain;
  const written = changeAndRow(account, advanced.state, advanced.verdicts, now);
  const { change, row } = written;
  if (notificationsOf(change, limitsOf(advanced.state, rules)).length > 0) return notPlain;
  const rowVersion = await writeGrouped(sql, {
    account,
    rowVersion: read.rowVersion,
    advanced,
    events: fresh.map((b) => b.event),
    // Every id of the batch, late ones too: a late event that was applied before is a duplicate.
    unread: cached ? { ids: unique.map((b) => b.event.id) } : undefined,
  }, written);
  if (rowVersion === null) return "changed";
  // The row as the write left it, for the account's next batch: `writeGroup` claims an account without a
  // trade source for the connector (set now, the statement having been sent).
  row.trade_source ??= "connector";
  rememberAccount(sql, { account: row, rowVersion, state: advanced.state, platform: read.platform });
  const result: SyncResult = {
    ...outcomes,
    account: change.account,
    breaches: [],
    trading: directiveOf(advanced.state),
    violations: advanced.violations,
    next: null,
  };
  return { result, changes: [change] };
}

/** What a batch evaluated from the cache takes as seen: nothing (its write checks instead). */
const NONE_SEEN: ReadonlySet<string> = new Set();

/** Verdicts that write more than the account's figures (breach rows, lifecycle, notifications). */
const CONSEQUENTIAL = new Set(["breach", "paused", "passed"]);

/** What `syncLocked` did: the answer, the changes to publish after commit, and the account's new state. */
export interface LockedSync {
  result: SyncResult;
  changes: AccountChange[];
  state: AccountState;
}

/**
 * The body of `applySync` for an account already locked in `tx` (`lockAccount`), with the ids of `events`
 * already applied to it (`seen`): the one engine path, shared by demo-sync and the built-in venue (which locks
 * many accounts at once per tick batch, services/venue/engine_path.ts). The caller validated `events` (size,
 * future skew) and publishes `changes` after commit.
 *
 * `opts.selfLocks: false` is for a caller that answers no `trading` directive (the venue: its orders judge the
 * self-locks themselves, under the same lock): the answer's `trading` is then the engine's alone, without the
 * self-lock read it would cost.
 *
 * @throws NotFound for a missing account; Conflict for an account that is not trading.
 */
export async function syncLocked(
  tx: Tx,
  account: LockedAccount | null,
  seen: ReadonlySet<string>,
  events: readonly SyncEvent[],
  now: Date,
  opts: { selfLocks?: boolean } = {},
): Promise<LockedSync> {
  if (!account) throw new NotFound("No such account.");
  const directive = (state: AccountState) =>
    opts.selfLocks === false ? directiveOf(state) : withSelfLocks(tx, account.id, directiveOf(state), now);
  if (!account.engine_state || !account.plan_version_id || !isSyncable(account.status)) {
    throw new Conflict(`The account is not trading (status ${account.status}); events are not accepted.`);
  }
  const state = stateFromJson(account.engine_state);
  const { fresh, outcomes } = sortBatch(events, seen, state);

  const prior = account.status;
  if (fresh.length === 0) {
    const next = prior === "passed" ? await successorOf(tx, account) : null;
    const result: SyncResult = {
      ...outcomes,
      account: summaryOf(account),
      breaches: [],
      trading: await directive(state),
      violations: [],
      next,
    };
    return { result, changes: [], state };
  }

  const { rules } = await rulesFor(tx, account.plan_version_id, stageOf(account));
  // Sliced: a big batch gives other requests their turn (the account stays locked meanwhile).
  const advanced = await advanceSliced(
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
    ...outcomes,
    account: change.account,
    breaches: breachesOf(advanced),
    trading: await directive(advanced.state),
    violations: advanced.violations,
    next,
  };
  return { result, changes: [change, ...lifecycle], state: advanced.state };
}

function isSyncable(status: string): boolean {
  return isLive(status) || RECORD_ONLY.has(status);
}
