/**
 * Refunds (issue #13): staff give money back on a paid order, fully or in part, through the provider that
 * took the payment (payments/types.ts `refund`). Each refund is a `refunds` row, so analytics subtract what
 * went back in the period it went back.
 *
 * What a refund does to the challenge the order bought — one rule for staff refunds and for refunds the
 * provider reports (payments/webhook.ts):
 * - A **full** refund (everything paid is back, once the provider confirms) means nothing was bought: the
 *   challenge is cancelled and every account it opened that is not yet closed is closed, whatever stage it
 *   reached (an evaluation phase, or a funded account). Trading on it stops; its history stays readable.
 * - A **partial** refund (a goodwill gesture, a price correction) leaves the challenge and its accounts as
 *   they are.
 * The order itself moves to `refunded` only on a full refund; a partly refunded order stays `paid`.
 */
import { z } from "zod";
import type postgres from "postgres";
import { multiLine, singleLine } from "../../lib/text.ts";
import { Conflict, NotFound } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import type { Deps } from "../deps.ts";
import { fromMinor, moneySchema, toMinor } from "../money.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { closeChallenge } from "../accounts/close.ts";
import { type LockedOrder, lockOrder, setOrderStatus } from "./order_queries.ts";
import { providerNamed } from "./payments/provider.ts";
import type { PaymentProvider } from "./payments/types.ts";
import { type RefundRow, refundsOf, type RefundView, refundView } from "./refund_queries.ts";

/** `POST /api/admin/orders/:id/refunds` and the order page's refund form. */
export const refundInput = z.object({
  amount: moneySchema({ min: "0.01" }).optional().describe("Omit for everything not yet refunded."),
  reason: multiLine().trim().min(10, "must explain the refund (at least 10 characters)").max(1000),
  idempotencyKey: singleLine().min(8, "must be at least 8 characters").max(200).optional().describe(
    "The same key on the same order is the same refund (or the `Idempotency-Key` header).",
  ),
});
export type RefundInput = z.infer<typeof refundInput>;

/** A refund made (or found again under its idempotency key), with what it did to the order. */
export interface RefundOutcome {
  refund: RefundView;
  /** True when the key named a refund made before: nothing moved this time. */
  replayed: boolean;
  orderStatus: string;
  /** Everything paid that has not gone back (pending refunds count as gone). */
  refundable: string;
  /** Accounts a full refund closed. */
  closedAccounts: string[];
}

/**
 * Refunds `amount` (default: everything still refundable) of order `orderId` through its provider, under
 * the order's row lock, so two refunds of one order never race past the limit. The provider is asked inside
 * the transaction: providers are idempotent on the key, so if the transaction then rolls back, a retry with
 * the same key refunds once. Audited in the same transaction.
 *
 * @throws NotFound (unknown order); Conflict (not paid, nothing left, more than is left, a key reused with
 *   another amount, a provider that cannot refund).
 */
export async function refundOrder(
  deps: Pick<Deps, "db" | "bus">,
  actor: Actor,
  orderId: string,
  input: RefundInput,
  options: { now?: Date; provider?: PaymentProvider } = {},
): Promise<RefundOutcome> {
  const now = options.now ?? new Date();
  const key = input.idempotencyKey ?? crypto.randomUUID();
  const done = await deps.db.tx(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order) throw new NotFound("No such order.");
    const existing = await refundsOf(tx, orderId);
    const again = existing.find((r) => r.idempotency_key === key);
    if (again) {
      if (input.amount !== undefined && toMinor(input.amount) !== toMinor(again.amount)) {
        throw new Conflict("This idempotency key was used for a refund of another amount.", {
          idempotencyKey: `is the key of the refund of ${again.amount}`,
        });
      }
      return { outcome: outcomeOf(order, existing, again, true, []), changes: [] };
    }
    if (order.status !== "paid") {
      throw new Conflict(
        order.status === "refunded"
          ? "The order is already refunded in full."
          : `The order is ${order.status}; only a paid order can be refunded.`,
      );
    }
    const left = toMinor(order.amount) - sumOf(existing);
    if (left <= 0n) {
      throw new Conflict("Everything paid on this order is already refunded or being refunded.");
    }
    const amount = input.amount === undefined ? left : toMinor(input.amount);
    if (amount > left) {
      throw new Conflict(`At most ${fromMinor(left)} ${order.currency} can still be refunded.`, {
        amount: `must be at most ${fromMinor(left)}`,
      });
    }
    const provider = options.provider ?? providerNamed(order.provider);
    if (!provider) throw new Conflict(`The order's provider "${order.provider}" cannot refund.`);
    const result = await provider.refund({
      orderId,
      paymentRef: order.providerRef,
      amount: fromMinor(amount),
      currency: order.currency,
      idempotencyKey: key,
    });
    const [row] = await tx<RefundRow[]>`
      insert into refunds (order_id, amount, currency, reason, status, provider, provider_ref, requested_by,
                           idempotency_key, created_at, succeeded_at)
      values (${orderId}, ${fromMinor(amount)}, ${order.currency}, ${input.reason}, ${result.status},
              ${order.provider}, ${result.providerRef}, ${actor.userId}, ${key}, ${now},
              ${result.status === "succeeded" ? now : null})
      returning *`;
    const all = [...existing, row];
    const changes = await settleIfFull(tx, order, all, now);
    const outcome = outcomeOf(order, all, row, false, changes);
    await recordAudit(tx, actor, "admin.order_refunded", {
      type: "order",
      id: orderId,
      details: {
        refundId: row.id,
        amount: row.amount,
        currency: row.currency,
        reason: input.reason,
        status: row.status,
        provider: row.provider,
        // Whether this refund takes everything that was left (the order is then refunded in full).
        completesOrder: amount === left,
        orderStatus: outcome.orderStatus,
        closedAccounts: outcome.closedAccounts,
      },
    });
    return { outcome, changes };
  });
  await publishChange(deps.bus, ...done.changes);
  return done.outcome;
}

/**
 * A refund the provider confirms by webhook (`refund.succeeded`, always the whole order): the pending
 * refunds of the order succeed, and whatever else the provider gave back on its side (a chargeback, a
 * refund from its dashboard) is recorded as one more refund, so the refunds add up to the amount paid.
 * Then the full-refund rule applies. Runs in the webhook's transaction, under the order's lock.
 */
export async function settleProviderRefund(
  tx: postgres.TransactionSql,
  order: LockedOrder,
  eventId: string,
  now: Date,
): Promise<AccountChange[]> {
  await tx`update refunds set status = 'succeeded', succeeded_at = ${now}
           where order_id = ${order.id} and status = 'pending'`;
  const existing = await refundsOf(tx, order.id);
  const rest = toMinor(order.amount) - sumOf(existing);
  let all = existing;
  if (rest > 0n) {
    const [row] = await tx<RefundRow[]>`
      insert into refunds (order_id, amount, currency, reason, status, provider, idempotency_key, created_at,
                           succeeded_at)
      values (${order.id}, ${fromMinor(rest)}, ${order.currency}, 'Refunded on the provider''s side.',
              'succeeded', ${order.provider}, ${`provider:${eventId}`.slice(0, 200)}, ${now}, ${now})
      on conflict (order_id, idempotency_key) do nothing
      returning *`;
    if (row) all = [...existing, row];
  }
  return await settleIfFull(tx, order, all, now);
}

/** Once every paid cent is back and confirmed: the order is `refunded` and its challenge closed. */
async function settleIfFull(
  tx: postgres.TransactionSql,
  order: LockedOrder,
  refunds: readonly RefundRow[],
  now: Date,
): Promise<AccountChange[]> {
  const confirmed = sumOf(refunds.filter((r) => r.status === "succeeded"));
  if (confirmed < toMinor(order.amount)) return [];
  await setOrderStatus(tx, order.id, "refunded");
  const [challenge] = await tx<{ id: string }[]>`select id from challenges where order_id = ${order.id}`;
  return challenge ? await closeChallenge(tx, challenge.id, now) : [];
}

function sumOf(refunds: readonly Pick<RefundRow, "amount">[]): bigint {
  return refunds.reduce((sum, r) => sum + toMinor(r.amount), 0n);
}

function outcomeOf(
  order: LockedOrder,
  all: readonly RefundRow[],
  refund: RefundRow,
  replayed: boolean,
  changes: readonly AccountChange[],
): RefundOutcome {
  const confirmed = sumOf(all.filter((r) => r.status === "succeeded"));
  const full = confirmed >= toMinor(order.amount);
  return {
    refund: refundView(refund),
    replayed,
    orderStatus: full ? "refunded" : order.status,
    refundable: fromMinor(toMinor(order.amount) - sumOf(all)),
    closedAccounts: changes.map((c) => c.accountId),
  };
}
