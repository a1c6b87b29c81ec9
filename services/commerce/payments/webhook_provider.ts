import type { PaymentProvider } from "./types.ts";

/**
 * A real payment provider that reports back through `POST /api/payments/webhook` (signed with
 * PAYMENT_WEBHOOK_SECRET). The provider's payment page is created on its side with the order id as its
 * reference, so placing an order here opens nothing and knows no URL yet: the order waits for the webhook.
 *
 * Refunds the same way round: this adapter has no outbound API (nothing here holds the provider's API key),
 * so a refund is recorded `pending` under its idempotency key for the operator to issue on the provider's
 * side, and the provider's signed `refund.succeeded` event settles it (payments/webhook.ts).
 */
export const WEBHOOK_PROVIDER: PaymentProvider = {
  name: "webhook",
  kind: "redirect",
  checkout: () => Promise.resolve({ providerRef: null, paymentUrl: null }),
  refund: () => Promise.resolve({ status: "pending", providerRef: null }),
};
