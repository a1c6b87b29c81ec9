/**
 * Staff actions on an evaluated account: reinstate (lift a failure or a pause), pause (no trading until
 * reinstated; the rules still apply), close (stops trading and evaluation for good). Failed is final for the
 * engine (DESIGN §3); only an audited staff action lifts it. Everything — state, challenge, audit entry,
 * change row — commits in one transaction, and the change is published like any other (streams, monitor).
 */
import { z } from "zod";
import { multiLine } from "../../lib/text.ts";
import { Conflict, NotFound } from "../../lib/errors.ts";
import { type Actor, type AuditAction, recordAudit } from "../audit.ts";
import type { Deps } from "../deps.ts";
import { stateFromJson } from "../engine/state.ts";
import { type AccountChange, publishChange, recordChange } from "./change_log.ts";
import { accountRowOf, lockAccount, type LockedAccount, writeAccountRow } from "./persist.ts";
import type { Tx } from "../../db/client.ts";
import { accountColumns, type AccountRow, type AccountSummary, summaryOf } from "./summary.ts";

/** `PUT /api/admin/accounts/:id` body: one action per request, always with the reason the audit keeps. */
const reason = () =>
  multiLine().trim().min(10, "must explain the decision (at least 10 characters)").max(1000);

export const accountActionInput = z.discriminatedUnion("action", [
  z.object({ action: z.literal("reinstate"), reason: reason() }),
  z.object({ action: z.literal("pause"), reason: reason() }),
  z.object({ action: z.literal("close"), reason: reason() }),
]);

export type AccountAction = z.infer<typeof accountActionInput>;

/** Applies one staff action (see the functions below); the summary after it. */
export function applyAccountAction(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  input: AccountAction,
  now: Date = new Date(),
): Promise<AccountSummary> {
  if (input.action === "pause") return pauseAccount(deps, actor, accountId, input.reason, now);
  if (input.action === "close") return closeAccount(deps, actor, accountId, input.reason, now);
  return reinstateAccount(deps, actor, accountId, input.reason, now);
}

/**
 * Reinstates a failed or paused account (a paused one simply trades again). A failed account: status `active`, the breach cleared from the engine state (it stays in the
 * `breaches` history), the challenge active again. Evaluation then continues from the account's current
 * figures: missed resets roll on the next event or scheduler tick, and an equity still below a floor fails
 * the account again, with new evidence.
 *
 * @throws NotFound for an unknown account; Conflict unless it is failed, or when it failed its time limit
 *   (the elapsed deadline would fail it again at the next reset, so reinstating cannot help).
 */
export function reinstateAccount(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  reason: string,
  now: Date = new Date(),
): Promise<AccountSummary> {
  return staffStateChange(deps, actor, accountId, now, async (tx, account) => {
    if ((account.status !== "failed" && account.status !== "paused") || !account.engine_state) {
      throw new Conflict(`Only a failed or paused account can be reinstated; this one is ${account.status}.`);
    }
    const prior = stateFromJson(account.engine_state);
    if (account.status === "failed" && prior.breach?.rule === "time_limit") {
      throw new Conflict("A time-limit failure cannot be reinstated: the deadline has passed.");
    }
    // +1 like any other change, so the change log and SSE ids stay strictly increasing.
    const state = {
      ...prior,
      status: "active" as const,
      breach: null,
      pausedUntil: null,
      version: prior.version + 1,
    };
    const row = accountRowOf(account, state, now);
    await writeAccountRow(tx, row, state);
    if (account.status === "failed" && account.type === "challenge" && account.challenge_id) {
      await tx`update challenges set status = 'active', ended_at = null
               where id = ${account.challenge_id} and status = 'failed'`;
    }
    return {
      row,
      previousVersion: prior.version,
      action: "admin.account_reinstated",
      details: {
        reason,
        from: account.status,
        breach: prior.breach &&
          { rule: prior.breach.rule, at: prior.breach.at, inputsHash: prior.breach.inputsHash },
        stateVersion: state.version,
      },
    };
  });
}

/**
 * Pauses a live account until staff reinstate it: status `paused` with no end, so the engine's reset does
 * not lift it (a daily-loss pause ends at its reset; this one does not), trading is refused (the sync
 * answer's `trading.allowed` is false and asks to close open positions), and the loss rules still apply.
 *
 * @throws NotFound for an unknown account; Conflict unless it is active.
 */
export function pauseAccount(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  reason: string,
  now: Date = new Date(),
): Promise<AccountSummary> {
  return staffStateChange(deps, actor, accountId, now, async (tx, account) => {
    if (account.status !== "active" || !account.engine_state) {
      throw new Conflict(`Only an active account can be paused; this one is ${account.status}.`);
    }
    const prior = stateFromJson(account.engine_state);
    const state = { ...prior, status: "paused" as const, pausedUntil: null, version: prior.version + 1 };
    const row = accountRowOf(account, state, now);
    await writeAccountRow(tx, row, state);
    return {
      row,
      previousVersion: prior.version,
      action: "admin.account_paused",
      details: { reason, stateVersion: state.version },
    };
  });
}

/**
 * Closes an account for good: status `closed`, no more resets, sync events refused (409); a challenge
 * account's challenge is cancelled. Its history (trades, breaches, changes) stays.
 *
 * @throws NotFound for an unknown account; Conflict when it is closed already.
 */
export function closeAccount(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  reason: string,
  now: Date = new Date(),
): Promise<AccountSummary> {
  return staffStateChange(deps, actor, accountId, now, async (tx, account) => {
    if (account.status === "closed") throw new Conflict("This account is closed already.");
    const [row] = await tx<AccountRow[]>`
      update accounts set status = 'closed', state_version = state_version + 1, next_reset_at = null,
                          updated_at = ${now}
      where id = ${accountId}
      returning ${accountColumns(tx)}`;
    if (account.type === "challenge" && account.challenge_id) {
      await tx`update challenges set status = 'cancelled', ended_at = greatest(started_at, ${now})
               where id = ${account.challenge_id} and status = 'active'`;
    }
    return {
      row,
      previousVersion: account.state_version,
      action: "admin.account_closed",
      details: { reason, from: account.status, stateVersion: row.state_version },
    };
  });
}

/** What one staff action wrote: the account row after it, and what its audit entry says. */
interface StaffStep {
  row: AccountRow;
  previousVersion: number;
  action: AuditAction;
  details: Record<string, unknown>;
}

/**
 * The frame every staff action shares: lock the account, let `step` check and write the new state, then
 * audit it and log the change (kind `admin`) in the same transaction, and publish it once committed, so
 * streams and the monitor see a staff action like any other change.
 */
async function staffStateChange(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  now: Date,
  step: (tx: Tx, account: LockedAccount) => Promise<StaffStep>,
): Promise<AccountSummary> {
  const change = await deps.db.tx(async (tx) => {
    const account = await lockAccount(tx, accountId);
    if (!account) throw new NotFound("No such account.");
    const { row, previousVersion, action, details } = await step(tx, account);
    await recordAudit(tx, actor, action, { type: "account", id: accountId, details });
    const change: AccountChange = {
      accountId,
      stateVersion: row.state_version,
      previousVersion,
      kind: "admin",
      at: now.toISOString(),
      account: summaryOf(row),
      verdicts: [],
    };
    await recordChange(tx, change);
    return change;
  });
  await publishChange(deps.bus, change);
  return change.account;
}
