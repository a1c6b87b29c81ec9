/**
 * Staff actions on an evaluated account. Failed is final for the engine (DESIGN §3); only an audited staff
 * action lifts it. Everything — state, challenge, audit entry, change row — commits in one transaction.
 */
import { z } from "zod";
import { multiLine } from "../../lib/text.ts";
import { Conflict, NotFound } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import type { Deps } from "../deps.ts";
import { stateFromJson } from "../engine/state.ts";
import { type AccountChange, publishChange, recordChange } from "./change_log.ts";
import { accountRowOf, lockAccount, writeAccountRow } from "./persist.ts";
import { type AccountSummary, summaryOf } from "./summary.ts";

/** `PUT /api/admin/accounts/:id` body: one action per request, always with the reason the audit keeps. */
export const accountActionInput = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("reinstate"),
    reason: multiLine().trim().min(10, "must explain the decision (at least 10 characters)").max(1000),
  }),
]);

/**
 * Reinstates a failed account: status `active`, the breach cleared from the engine state (it stays in the
 * `breaches` history), the challenge active again. Evaluation then continues from the account's current
 * figures: missed resets roll on the next event or scheduler tick, and an equity still below a floor fails
 * the account again, with new evidence.
 *
 * @throws NotFound for an unknown account; Conflict unless it is failed, or when it failed its time limit
 *   (the elapsed deadline would fail it again at the next reset, so reinstating cannot help).
 */
export async function reinstateAccount(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  accountId: string,
  reason: string,
  now: Date = new Date(),
): Promise<AccountSummary> {
  const change = await deps.db.tx(async (tx) => {
    const account = await lockAccount(tx, accountId);
    if (!account) throw new NotFound("No such account.");
    if (account.status !== "failed" || !account.engine_state) {
      throw new Conflict(`Only a failed account can be reinstated; this one is ${account.status}.`);
    }
    const prior = stateFromJson(account.engine_state);
    if (prior.breach?.rule === "time_limit") {
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
    if (account.type === "challenge" && account.challenge_id) {
      await tx`update challenges set status = 'active', ended_at = null
               where id = ${account.challenge_id} and status = 'failed'`;
    }
    await recordAudit(tx, actor, "admin.account_reinstated", {
      type: "account",
      id: accountId,
      details: {
        reason,
        breach: prior.breach &&
          { rule: prior.breach.rule, at: prior.breach.at, inputsHash: prior.breach.inputsHash },
        stateVersion: state.version,
      },
    });
    const change: AccountChange = {
      accountId,
      stateVersion: state.version,
      previousVersion: prior.version,
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
