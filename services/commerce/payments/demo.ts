import type { PaymentProvider } from "./types.ts";

/**
 * The built-in demo provider (development and embedded mode): an order is paid the moment it is placed, so a
 * newcomer can buy a challenge and trade it without any payment set-up. Never available in production.
 * Refunds succeed at once; the refund id is derived from the idempotency key, so a repeated key is the same
 * refund, as with a real provider.
 */
export const DEMO_PROVIDER: PaymentProvider = {
  name: "demo",
  kind: "instant",
  refund: (request) =>
    Promise.resolve({ status: "succeeded", providerRef: `demo_re_${request.idempotencyKey.slice(0, 64)}` }),
};
