/**
 * How orders get paid. An `instant` provider settles an order inside the transaction that places it (the demo
 * provider, and free orders); a `redirect` provider opens a payment elsewhere and the order stays pending
 * until the provider's signed webhook confirms it (payments/webhook.ts).
 */
import type { Config } from "../../config.ts";
import { Conflict } from "../../../lib/errors.ts";
import { DEMO_PROVIDER } from "./demo.ts";
import { WEBHOOK_PROVIDER } from "./webhook_provider.ts";
import type { PaymentProvider } from "./types.ts";

/** Orders that cost nothing (a 100 % coupon): nothing to collect, so they are paid with any provider. */
export const FREE_PROVIDER: PaymentProvider = {
  name: "free",
  kind: "instant",
  // Nothing was collected, so nothing can go back (refunds.ts refuses a zero amount before asking).
  refund: () => Promise.reject(new Conflict("The order cost nothing; there is nothing to refund.")),
};

/** Every provider an order can name, by its `orders.provider` value. */
const PROVIDERS: Record<string, PaymentProvider> = {
  [DEMO_PROVIDER.name]: DEMO_PROVIDER,
  [WEBHOOK_PROVIDER.name]: WEBHOOK_PROVIDER,
  [FREE_PROVIDER.name]: FREE_PROVIDER,
};

/** The provider that took an order's payment (its refunds go back through it), or null for an unknown name. */
export function providerNamed(name: string): PaymentProvider | null {
  return Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name] : null;
}

/**
 * The provider `config` names. The demo provider is refused in production here as well as at start-up: it
 * hands out challenges without taking money.
 */
export function paymentProvider(config: Pick<Config, "env" | "paymentProvider">): PaymentProvider {
  if (config.paymentProvider === "demo") {
    if (config.env === "production") throw new Error("the demo payment provider is disabled in production");
    return DEMO_PROVIDER;
  }
  return WEBHOOK_PROVIDER;
}
