/**
 * How orders get paid. An `instant` provider settles an order inside the transaction that places it (the demo
 * provider, and free orders); a `redirect` provider opens a payment elsewhere and the order stays pending
 * until the provider's signed webhook confirms it (payments/webhook.ts).
 */
import type { Config } from "../../config.ts";
import { DEMO_PROVIDER } from "./demo.ts";
import { WEBHOOK_PROVIDER } from "./webhook_provider.ts";
import type { PaymentProvider } from "./types.ts";

/** Orders that cost nothing (a 100 % coupon): nothing to collect, so they are paid with any provider. */
export const FREE_PROVIDER: PaymentProvider = { name: "free", kind: "instant" };

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
