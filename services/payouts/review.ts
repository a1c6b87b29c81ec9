/**
 * Staff decisions on a payout (DESIGN §3.2): `pending → approved → paid`, or `rejected` from pending or
 * approved with a reason — a rejection puts the gross amount back on the account through the engine (a
 * `withdrawal_reversal` event). Above `PAYOUT_FOUR_EYES_ABOVE` (on the trader's share) approval needs two
 * different staff members: each approves once, the same person again is refused. Only holders of
 * `payouts.review` (risk, admin) decide; nobody decides on their own payout. Each decision commits with its
 * audit entry, in one transaction with the account row locked first (the order the request path uses);
 * the trader is mailed at every change of status.
 */
import { z } from "zod";
import { Conflict, Forbidden, NotFound } from "../../lib/errors.ts";
import { multiLine, singleLine } from "../../lib/text.ts";
import { isUuid } from "../../lib/validation.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { can, type Role } from "../auth/roles.ts";
import type { Deps } from "../deps.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { lockAccount } from "../accounts/persist.ts";
import { applyLedger } from "./ledger.ts";
import { payoutMail } from "./mail.ts";
import { findPayout, type Payout } from "./queries.ts";

export const payoutActionInput = z.discriminatedUnion("action", [
  z.object({ action: z.literal("approve") }),
  z.object({
    action: z.literal("reject"),
    reason: multiLine().trim().min(10, "must explain the decision to the trader (at least 10 characters)")
      .max(1000),
  }),
  z.object({ action: z.literal("mark_paid"), reference: singleLine().trim().min(1).max(200) }),
]);
export type PayoutAction = z.infer<typeof payoutActionInput>;

/** A staff member deciding: who, and their role. */
export interface Reviewer {
  id: string;
  role: Role;
}

/**
 * Applies one staff action to a payout and returns it as it now stands.
 *
 * @throws Forbidden without `payouts.review` or on one's own payout; NotFound for an unknown payout;
 *   Conflict when the action does not fit the status, or the same staff member approves twice.
 */
export async function reviewPayout(
  deps: Pick<Deps, "db" | "bus" | "mailer">,
  staff: Reviewer,
  payoutId: string,
  input: PayoutAction,
  actor: Actor,
  now = new Date(),
): Promise<Payout> {
  if (!can(staff, "payouts.review")) throw new Forbidden("Only risk and admin staff decide payouts.");
  if (!isUuid(payoutId)) throw new NotFound("No such payout.");
  const outcome = await deps.db.tx(async (tx) => {
    const [ref] = await tx<{ account_id: string }[]>`select account_id from payouts where id = ${payoutId}`;
    if (!ref) throw new NotFound("No such payout.");
    const account = await lockAccount(tx, ref.account_id);
    const [row] = await tx<{ status: string; user_id: string; approvals_required: number; amount: string }[]>`
      select status, user_id, approvals_required, amount from payouts where id = ${payoutId} for update`;
    if (row.user_id === staff.id) throw new Forbidden("You cannot decide on your own payout.");
    let change: AccountChange | null = null;
    let step: "approved" | "rejected" | "paid" | null = null;
    const audit = (action: string, details: Record<string, unknown>) =>
      recordAudit(tx, actor, `payout.${action}`, { type: "payout", id: payoutId, details });

    if (input.action === "approve") {
      if (row.status !== "pending") {
        throw new Conflict(`Only a pending payout can be approved; this one is ${row.status}.`);
      }
      const added = await tx`
        insert into payout_approvals (payout_id, staff_id, at) values (${payoutId}, ${staff.id}, ${now})
        on conflict do nothing returning staff_id`;
      if (added.length === 0) {
        throw new Conflict(
          "You have already approved this payout: a different staff member must approve it too.",
        );
      }
      const [{ n }] = await tx<{ n: number }[]>`
        select count(*)::int as n from payout_approvals where payout_id = ${payoutId}`;
      if (n >= row.approvals_required) {
        await tx`update payouts set status = 'approved', approved_at = ${now}, processed_at = ${now},
                 updated_at = ${now} where id = ${payoutId}`;
        step = "approved";
      }
      await audit("approved", { approvals: n, required: row.approvals_required, approvedNow: step !== null });
    } else if (input.action === "reject") {
      if (row.status !== "pending" && row.status !== "approved") {
        throw new Conflict(`Only a pending or approved payout can be rejected; this one is ${row.status}.`);
      }
      await tx`update payouts set status = 'rejected', rejected_at = ${now}, processed_at = ${now},
               reason = ${input.reason}, updated_at = ${now} where id = ${payoutId}`;
      change = await applyLedger(
        tx,
        account!,
        { payoutId, amount: row.amount, type: "withdrawal_reversal" },
        now,
      );
      step = "rejected";
      await audit("rejected", { reason: input.reason, from: row.status, stateVersion: change.stateVersion });
    } else {
      if (row.status !== "approved") {
        throw new Conflict(`Only an approved payout can be marked paid; this one is ${row.status}.`);
      }
      await tx`update payouts set status = 'paid', paid_at = ${now}, processed_at = ${now},
               reference = ${input.reference}, updated_at = ${now} where id = ${payoutId}`;
      step = "paid";
      await audit("paid", { reference: input.reference });
    }
    const [{ email }] = await tx<{ email: string }[]>`select email from users where id = ${row.user_id}`;
    return { payout: (await findPayout(tx, payoutId))!, change, step, email };
  });
  if (outcome.change) await publishChange(deps.bus, outcome.change);
  if (outcome.step) {
    await deps.mailer.send({ to: outcome.email, ...payoutMail(outcome.payout, outcome.step) });
  }
  return outcome.payout;
}
