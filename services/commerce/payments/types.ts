/**
 * The shape every payment provider has. Apart from the registry (provider.ts) so that the providers and the
 * registry that picks one both import it, and neither imports the other back.
 */
import type { OrderSummary } from "../order_queries.ts";

/** Where the buyer pays, once a redirect provider has opened a payment. */
interface CheckoutSession {
  /** The provider's payment id, when it issues one up front (else it arrives with the webhook). */
  providerRef: string | null;
  /** Where to send the buyer to pay; null when the provider's own page is reached another way. */
  paymentUrl: string | null;
}

/** Money to give back on a paid order (services/commerce/refunds.ts asks; amounts are decimal strings). */
export interface RefundRequest {
  orderId: string;
  /** The provider's payment id the refund is made against (null for orders settled here, e.g. demo). */
  paymentRef: string | null;
  amount: string;
  currency: string;
  /**
   * The same key is the same refund: a provider that sees a key again answers with the first refund and
   * moves no more money, so a request retried after a lost answer or a rolled-back transaction is safe.
   */
  idempotencyKey: string;
}

/** What the provider did: `succeeded` (money back now) or `pending` (it confirms later by webhook). */
export interface RefundResult {
  status: "succeeded" | "pending";
  /** The provider's refund id, if it gave one. */
  providerRef: string | null;
}

/** What every provider does besides taking payments: refunds. */
interface Refunds {
  refund(request: RefundRequest): Promise<RefundResult>;
}

export type PaymentProvider =
  | { readonly name: string; readonly kind: "instant" } & Refunds
  | {
    readonly name: string;
    readonly kind: "redirect";
    /** Opens the payment for a pending order. Called after the order is committed, never inside a transaction. */
    checkout(order: OrderSummary): Promise<CheckoutSession>;
  } & Refunds;
