import type { PaymentProvider } from "./types.ts";

/**
 * A real payment provider that reports back through `POST /api/payments/webhook` (signed with
 * PAYMENT_WEBHOOK_SECRET). The provider's payment page is created on its side with the order id as its
 * reference, so placing an order here opens nothing and knows no URL yet: the order waits for the webhook.
 */
export const WEBHOOK_PROVIDER: PaymentProvider = {
  name: "webhook",
  kind: "redirect",
  checkout: () => Promise.resolve({ providerRef: null, paymentUrl: null }),
};
