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

export type PaymentProvider =
  | { readonly name: string; readonly kind: "instant" }
  | {
    readonly name: string;
    readonly kind: "redirect";
    /** Opens the payment for a pending order. Called after the order is committed, never inside a transaction. */
    checkout(order: OrderSummary): Promise<CheckoutSession>;
  };
