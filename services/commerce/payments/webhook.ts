/**
 * Payment events from the provider's webhook (the signature is checked by the route before anything here
 * runs). Each event id is handled once: the first delivery's outcome is stored with the event, and a re-sent
 * id gets that outcome back with nothing changed. Deliveries of one event race on the `payment_events`
 * primary key, deliveries of different events for one order on the order's row lock, so an order is
 * fulfilled exactly once however the provider retries.
 */
import { z } from "zod";
import { singleLine } from "../../../lib/text.ts";
import type postgres from "postgres";
import { lockOrder, type OrderStatus, providerRefTaken, setOrderStatus } from "../order_queries.ts";
import { Conflict, type FieldErrors, NotFound, Unprocessable } from "../../../lib/errors.ts";
import { validate } from "../../../lib/validation.ts";
import type { Deps } from "../../deps.ts";
import { toMinor } from "../../money.ts";
import { type AccountChange, publishChange } from "../../accounts/change_log.ts";
import { money } from "../../plans/definition.ts";
import { fulfilOrder } from "../fulfil.ts";
import { settleProviderRefund } from "../refunds.ts";
import { WEBHOOK_PROVIDER } from "./webhook_provider.ts";

const PAYMENT_EVENT_TYPES = ["payment.succeeded", "payment.failed", "refund.succeeded"] as const;

const eventId = singleLine().min(1).max(200);

const paymentDataSchema = z.object({
  orderId: z.uuid("must be an order id"),
  amount: money.describe("Must equal the order's amount."),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "USD"'),
  providerRef: singleLine().min(1).max(200).describe("The provider's payment id."),
});

/** An event this app acts on. */
export const paymentEventSchema = z.object({
  id: eventId.describe("The provider's event id: the idempotency key."),
  type: z.enum(PAYMENT_EVENT_TYPES),
  data: paymentDataSchema,
});

/** Any event: types other than PAYMENT_EVENT_TYPES are acknowledged and ignored, as providers expect. */
const envelopeSchema = z.object({ id: eventId, type: singleLine().min(1).max(100), data: z.unknown() });

type PaymentEvent = z.infer<typeof paymentEventSchema>;
type AnyEvent = PaymentEvent | { id: string; type: string; data: unknown; known: false };

interface WebhookOutcome {
  /**
   * `coupon_over_limit`: paid after the order's coupon hold lapsed, with no use of the coupon left; the
   * order is paid but opened nothing, and is flagged for staff to refund.
   */
  result: "fulfilled" | "already_paid" | "coupon_over_limit" | "payment_failed" | "refunded" | "ignored";
  orderId: string | null;
  /** The order's status after the event. */
  orderStatus: OrderStatus | null;
  challengeId: string | null;
  accountId: string | null;
}

/** Validates a parsed webhook body: 422 naming the field (e.g. `data.amount`) for a known type. */
export function parsePaymentEvent(json: unknown): AnyEvent {
  const envelope = validate(envelopeSchema, json);
  if (!(PAYMENT_EVENT_TYPES as readonly string[]).includes(envelope.type)) {
    return { ...envelope, known: false };
  }
  return validate(paymentEventSchema, json);
}

/**
 * Applies one verified event. Returns `duplicate: true` with the first outcome when the id was seen before.
 * Throws 404 for an unknown order, 422 when the amount or currency differs from the order's (nothing is
 * recorded, so a corrected re-delivery is still handled), 409 when the order cannot take the event.
 */
export async function handlePaymentEvent(
  deps: Pick<Deps, "db" | "bus">,
  event: AnyEvent,
  now: Date = new Date(),
): Promise<{ duplicate: boolean; outcome: WebhookOutcome }> {
  const provider = WEBHOOK_PROVIDER.name;
  const handled = await deps.db.tx(async (tx) => {
    // Concurrent deliveries of this id wait here for the first one's commit, then find its outcome.
    const inserted = await tx`
      insert into payment_events (provider, event_id, type, payload)
      values (${provider}, ${event.id}, ${event.type}, ${tx.json(payloadOf(event))})
      on conflict (provider, event_id) do nothing
      returning event_id`;
    if (inserted.length === 0) {
      const [first] = await tx<{ outcome: WebhookOutcome }[]>`
        select outcome from payment_events where provider = ${provider} and event_id = ${event.id}`;
      return { duplicate: true, outcome: first.outcome, changes: [] as AccountChange[] };
    }
    const { outcome, changes } = "known" in event
      ? { outcome: outcomeOf("ignored", null), changes: [] }
      : await apply(tx, event, now);
    await tx`
      update payment_events set order_id = ${outcome.orderId}, outcome = ${
      tx.json(outcome as unknown as postgres.JSONValue)
    }
      where provider = ${provider} and event_id = ${event.id}`;
    return { duplicate: false, outcome, changes };
  });
  await publishChange(deps.bus, ...handled.changes);
  return { duplicate: handled.duplicate, outcome: handled.outcome };
}

async function apply(
  tx: postgres.TransactionSql,
  event: PaymentEvent,
  now: Date,
): Promise<{ outcome: WebhookOutcome; changes: AccountChange[] }> {
  const { data } = event;
  const order = await lockOrder(tx, data.orderId);
  if (!order) throw new NotFound("No such order.");
  const mismatch: FieldErrors = {};
  if (data.currency !== order.currency) {
    mismatch["data.currency"] = `must be the order's currency ${order.currency}`;
  } else if (toMinor(data.amount) !== toMinor(order.amount)) {
    mismatch["data.amount"] = `must be the order's amount ${order.amount}`;
  }
  if (Object.keys(mismatch).length) throw new Unprocessable(mismatch);
  // Demo and free orders were settled here; a provider has no say over them.
  if (order.provider !== WEBHOOK_PROVIDER.name) {
    throw new Conflict(`The order was paid through "${order.provider}", not this provider.`);
  }

  switch (event.type) {
    case "payment.succeeded": {
      if (order.status !== "paid" && await providerRefTaken(tx, order.provider, data.providerRef, order.id)) {
        throw new Conflict("Another order carries this providerRef.", { "data.providerRef": "is taken" });
      }
      const done = await fulfilOrder(tx, order, { at: now, providerRef: data.providerRef });
      return {
        outcome: {
          result: done.refused ? "coupon_over_limit" : done.change ? "fulfilled" : "already_paid",
          orderId: order.id,
          orderStatus: done.order.status,
          challengeId: done.challengeId,
          accountId: done.accountId,
        },
        changes: done.change ? [done.change] : [],
      };
    }
    case "payment.failed": {
      // A late failure report never unpays an order; a failed one may still be paid by a retry.
      if (order.status !== "pending") {
        return { outcome: outcomeOf("ignored", order.id, order.status), changes: [] };
      }
      await setOrderStatus(tx, order.id, "failed");
      return { outcome: outcomeOf("payment_failed", order.id, "failed"), changes: [] };
    }
    case "refund.succeeded": {
      if (order.status === "refunded") {
        return { outcome: outcomeOf("ignored", order.id, order.status), changes: [] };
      }
      if (order.status !== "paid") {
        throw new Conflict(`The order is ${order.status}; there is nothing to refund.`);
      }
      // The money went back, so the evaluation it bought ends (refunds.ts states the rule): the refunds are
      // recorded for analytics, the order is refunded and every account of the challenge is closed.
      const closed = await settleProviderRefund(tx, order, event.id, now);
      return { outcome: outcomeOf("refunded", order.id, "refunded"), changes: closed };
    }
  }
}

function outcomeOf(
  result: WebhookOutcome["result"],
  orderId: string | null,
  orderStatus: OrderStatus | null = null,
): WebhookOutcome {
  return { result, orderId, orderStatus, challengeId: null, accountId: null };
}

function payloadOf(event: AnyEvent): postgres.JSONValue {
  const { id, type, data } = event;
  return { id, type, data: (data ?? null) as postgres.JSONValue };
}
