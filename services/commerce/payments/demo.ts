import type { PaymentProvider } from "./types.ts";

/**
 * The built-in demo provider (development and embedded mode): an order is paid the moment it is placed, so a
 * newcomer can buy a challenge and trade it without any payment set-up. Never available in production.
 */
export const DEMO_PROVIDER: PaymentProvider = { name: "demo", kind: "instant" };
