/**
 * The daily reset scheduler (DESIGN §3, issue 4): rolls every live account whose trading day has closed,
 * whether or not events arrive, so a floating loss can breach right after a reset with no trade. Resets go
 * through the same core and persistence as sync batches (change kind `reset`) and are published after commit.
 *
 * Safe with many processes: due accounts are taken with `FOR UPDATE SKIP LOCKED`, so each is rolled by one
 * process, and an account that a sync batch holds is skipped — that batch rolls the resets it needs itself,
 * and the next tick rolls the rest.
 */
import { startPeriodic } from "../periodic.ts";
import type { Sql, Tx } from "../../db/client.ts";
import type { Deps } from "../deps.ts";
import { isLive, LIVE_STATUSES, stateFromJson } from "../engine/state.ts";
import { advance } from "./advance.ts";
import { settleLifecycle } from "./lifecycle.ts";
import { type AccountChange, publishChange } from "./change_log.ts";
import { lockAccount, type LockedAccount, lockedColumns } from "./persist.ts";
import { persistChange } from "./write_change.ts";
import { rulesFor, stageOf } from "./rules.ts";
import { reportTo } from "../log.ts";

type SchedulerDeps = Pick<Deps, "db" | "bus">;

export interface RollOptions {
  /**
   * Accounts locked and rolled per transaction. Small: a sync batch for an account in it waits for the whole
   * transaction, so this bounds the latency a midnight adds to live events.
   */
  batchSize?: number;
  /**
   * How long after a reset the scheduler waits before rolling it. A connector's last events of the day
   * arrive a little after midnight; once the reset is rolled they would be late (409). The reset itself is
   * still applied at its exact instant — only the moment we do it moves.
   */
  graceMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Rolls every due account (reset time ≤ `now − graceMs`) in batches until none is left; returns how many
 * accounts it rolled. A batch that fails is retried one account per transaction, so one broken account
 * cannot hold the others back (it is logged, and retried on the next tick).
 */
export async function rollDueAccounts(
  deps: SchedulerDeps,
  now: Date = new Date(),
  opts: RollOptions = {},
): Promise<number> {
  const batchSize = opts.batchSize ?? 25;
  const log = opts.log ?? reportTo("scheduler");
  const until = new Date(+now - (opts.graceMs ?? 0));
  let total = 0;
  for (;;) {
    let ids: string[] = [];
    try {
      const { rolled, changes } = await deps.db.tx(async (tx) => {
        const due = await tx<LockedAccount[]>`
          select ${lockedColumns(tx)} from accounts
          where status in ${liveStatusList(tx)} and next_reset_at <= ${until}
          order by next_reset_at
          limit ${batchSize}
          for update skip locked`;
        ids = due.map((a) => a.id);
        const changes: AccountChange[] = [];
        for (const account of due) changes.push(...await rollLocked(tx, account, until, now));
        return { rolled: due.length, changes };
      });
      await publishChange(deps.bus, ...changes);
      total += rolled;
      if (rolled < batchSize) return total;
    } catch (error) {
      if (ids.length === 0) throw error;
      log(`rolling a batch of ${ids.length} failed; retrying one by one`, error);
      for (const id of ids) {
        try {
          await rollAccount(deps, id, now, { graceMs: opts.graceMs, skipLocked: true });
          total++;
        } catch (e) {
          log(`rolling account ${id} failed`, e);
        }
      }
      // The failing accounts are still due: stop here rather than select them again in this tick.
      return total;
    }
  }
}

/**
 * Rolls one account's due resets (if any) and publishes the change. Waits for the account's lock unless
 * `skipLocked`. Returns the committed changes (none when nothing was due).
 */
export async function rollAccount(
  deps: SchedulerDeps,
  accountId: string,
  now: Date = new Date(),
  opts: { graceMs?: number; skipLocked?: boolean } = {},
): Promise<AccountChange[]> {
  const until = new Date(+now - (opts.graceMs ?? 0));
  const changes = await deps.db.tx(async (tx) => {
    const account = await lockAccount(tx, accountId, { skipLocked: opts.skipLocked });
    if (!account || !isLive(account.status)) return [];
    return await rollLocked(tx, account, until, now);
  });
  await publishChange(deps.bus, ...changes);
  return changes;
}

/** Rolls a locked account to `until`: persists a `reset` change and its lifecycle consequences. */
async function rollLocked(
  tx: Tx,
  account: LockedAccount,
  until: Date,
  now: Date,
): Promise<AccountChange[]> {
  if (!account.engine_state || !account.plan_version_id) return [];
  const state = stateFromJson(account.engine_state);
  const { rules } = await rulesFor(tx, account.plan_version_id, stageOf(account));
  const advanced = advance(state, rules, [], +until);
  if (advanced.state === state) {
    // Nothing was due after all: the row's next reset disagreed with the state. Heal it, or it is selected
    // on every tick.
    await tx`update accounts set next_reset_at = ${new Date(state.day.closesAt)} where id = ${account.id}`;
    return [];
  }
  const change = await persistChange(tx, { account, advanced, kind: "reset", events: [], now });
  return [change, ...await settleLifecycle(tx, account, advanced.verdicts)];
}

export interface SchedulerOptions extends RollOptions {
  /** Pause between ticks (a tick runs until no account is due). */
  intervalMs?: number;
  /** The clock (tests inject one). */
  clock?: () => Date;
}

/**
 * Starts the loop in this process; returns `stop`, which waits for a running tick to finish. Ticks never
 * overlap (the next is scheduled when one ends), and a failing tick is logged and retried on the next.
 *
 * @example
 * const stop = startResetScheduler(deps, { intervalMs: 1000 });
 * // … on shutdown:
 * await stop();
 */
export function startResetScheduler(deps: SchedulerDeps, opts: SchedulerOptions = {}): () => Promise<void> {
  const intervalMs = opts.intervalMs ?? 1000;
  const clock = opts.clock ?? (() => new Date());
  const log = opts.log ?? reportTo("scheduler");
  return startPeriodic(() => rollDueAccounts(deps, clock(), { graceMs: 2000, ...opts, log }), {
    intervalMs,
    log,
    failure: "tick failed",
  });
}

/**
 * `LIVE_STATUSES` as a literal SQL list, `('active', 'paused')`: a literal rather than a parameter so the
 * planner can prove the partial index `accounts_next_reset_idx` (same list) applies. The values are the
 * engine's constants, never input.
 */
function liveStatusList(sql: Sql) {
  return sql.unsafe(`(${LIVE_STATUSES.map((s) => `'${s}'`).join(", ")})`);
}
