/**
 * A trader's payout request (DESIGN §3.2). One transaction with the account row locked: the idempotency key
 * is looked up, readiness decided by the engine's rules, the payout inserted and its withdrawal applied
 * through the live path — so concurrent requests queue on the lock, only one can be open per account, and
 * the sum withdrawn never exceeds the profit. The change is published and the trader mailed after commit.
 */
import { z } from "zod";
import type { Sql, Tx } from "../../db/client.ts";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import { type Actor, recordAudit } from "../audit.ts";
import type { SessionUser } from "../auth/sessions.ts";
import { requireMoneyStepUp } from "../auth/step_up.ts";
import type { Deps } from "../deps.ts";
import { type Readiness, requestProblem, traderShare } from "../engine/payout_readiness.ts";
import { fromMinor, moneySchema, toMinor } from "../money.ts";
import { publishChange } from "../accounts/change_log.ts";
import { lockAccount, type LockedAccount, lockedColumns } from "../accounts/persist.ts";
import { applyLedger } from "./ledger.ts";
import { payoutMail } from "./mail.ts";
import { findByIdempotencyKey, findPayout, type Payout } from "./queries.ts";
import { readinessOf } from "./readiness.ts";

export const payoutRequestInput = z.object({
  accountId: z.string().trim().min(1).max(100),
  amount: moneySchema({ min: "0.01" }),
});

/** What an Idempotency-Key may be: 1–200 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Requests a payout of `input.amount` (gross) from one of the caller's funded accounts.
 *
 * @returns the payout, and `replayed` when the key had already made it (nothing new happened).
 * @throws 403 `step_up_required`; NotFound for an account that is not the caller's; Unprocessable when the
 *   key was used for a different request or the amount is wrong; Conflict when a §3.2 condition is unmet.
 */
export async function requestPayout(
  deps: Pick<Deps, "db" | "bus" | "mailer" | "config">,
  user: SessionUser,
  input: z.infer<typeof payoutRequestInput>,
  idempotencyKey: string,
  actor: Actor,
  now = new Date(),
): Promise<{ payout: Payout; replayed: boolean }> {
  await requireMoneyStepUp(deps.db.sql, user, now);
  return await placePayoutRequest(deps, user, input, idempotencyKey, actor, now);
}

/**
 * `requestPayout` after its step-up (a proof of presence is the route's and session's concern): the request
 * itself, for callers that act for a trader without a session — the demo world (services/demo) requests its
 * payout through here, so it meets the same conditions, locks and ledger as a real one.
 */
export async function placePayoutRequest(
  deps: Pick<Deps, "db" | "bus" | "mailer" | "config">,
  user: Pick<SessionUser, "id" | "email" | "timeZone">,
  input: z.infer<typeof payoutRequestInput>,
  idempotencyKey: string,
  actor: Actor,
  now = new Date(),
): Promise<{ payout: Payout; replayed: boolean }> {
  const outcome = await deps.db.tx(async (tx) => {
    const account = await ownAccount(tx, user, input.accountId, actor, tx);
    // After the lock: a concurrent request with the same key has committed (or not) by now.
    const earlier = await findByIdempotencyKey(tx, user.id, idempotencyKey);
    if (earlier) {
      if (earlier.accountId !== account.id || toMinor(earlier.amount) !== toMinor(input.amount)) {
        throw new Unprocessable(
          "Idempotency-Key",
          "was already used for a different payout request; use a new key for a new request",
        );
      }
      return { payout: earlier, replayed: true, change: null };
    }
    const readiness = await readinessOf(tx, account, user.timeZone, now);
    const unmet = readiness.conditions.find((c) => !c.met);
    if (unmet) throw new Conflict(unmet.message, { accountId: unmet.message });
    const problem = requestProblem(readiness, input.amount);
    if (problem) throw new Unprocessable("amount", problem);

    const amount = fromMinor(toMinor(input.amount)); // "12.5" → "12.50"
    const share = traderShare(amount, readiness.splitPercent);
    const fourEyes = toMinor(share) > toMinor(deps.config.payoutFourEyesAbove);
    const [{ id }] = await tx<{ id: string }[]>`
      insert into payouts (user_id, account_id, amount, currency, status, trader_share, split_percent,
                           idempotency_key, approvals_required, requested_at)
      values (${user.id}, ${account.id}, ${amount}, ${account.currency}, 'pending', ${share},
              ${readiness.splitPercent}, ${idempotencyKey}, ${fourEyes ? 2 : 1}, ${now})
      returning id`;
    const change = await applyLedger(tx, account, { payoutId: id, amount, type: "withdrawal" }, now);
    await recordAudit(tx, actor, "payout.requested", {
      type: "payout",
      id,
      details: { accountId: account.id, amount, traderShare: share, stateVersion: change.stateVersion },
    });
    return { payout: (await findPayout(tx, id))!, replayed: false, change };
  });
  if (outcome.change) {
    await publishChange(deps.bus, outcome.change);
    await deps.mailer.send({ to: user.email, ...payoutMail(outcome.payout, "requested") });
  }
  return { payout: outcome.payout, replayed: outcome.replayed };
}

/** Readiness of one of the caller's accounts, in the caller's time zone. */
export async function readinessFor(
  deps: Pick<Deps, "db">,
  user: SessionUser,
  accountId: string,
  actor: Actor,
): Promise<Readiness & { accountId: string }> {
  const account = await ownAccount(deps.db.sql, user, accountId, actor);
  return { accountId: account.id, ...await readinessOf(deps.db.sql, account, user.timeZone) };
}

/** The caller's own account row (locked in a transaction when `lock`); another's is a 404, audited. */
async function ownAccount(
  sql: Sql,
  user: Pick<SessionUser, "id">,
  accountId: string,
  actor: Actor,
  lockIn?: Tx,
): Promise<LockedAccount> {
  const notFound = new NotFound("No such account.");
  if (!isUuid(accountId)) throw notFound;
  const account = lockIn ? await lockAccount(lockIn, accountId) : (await sql<LockedAccount[]>`
    select ${lockedColumns(sql)} from accounts where id = ${accountId}`)[0] ?? null;
  if (!account) throw notFound;
  if (account.user_id !== user.id) {
    await recordAudit(sql, actor, "authz.denied", {
      type: "account",
      id: accountId,
      details: { reason: "not_owner", action: "payout" },
    });
    throw notFound;
  }
  return account;
}
