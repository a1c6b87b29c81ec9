/**
 * Orders that are never paid. A pending order holds its coupon use for `PAYMENT_WINDOW_MS` (a payment page is
 * open about that long); after that its hold stops counting at once (coupons.ts counts only live holds), and
 * the sweep here marks the order `expired` so buyers and staff see it. A payment arriving later still
 * settles the order (fulfil.ts), taking a coupon use again only if one is free.
 */
import type { Deps } from "../deps.ts";
import { expirePendingOrders } from "./order_queries.ts";
import { startPeriodic } from "../periodic.ts";
import { reportTo } from "../log.ts";

/**
 * How long a placed order holds its coupon use while the buyer pays. Long enough for a card payment with a
 * 3-D Secure check; short enough that abandoned checkouts cannot keep a limited coupon from other buyers.
 */
export const PAYMENT_WINDOW_MS = 30 * 60_000;

/** Until when an order placed at `now` may be paid with its coupon use held. */
export function paymentDeadline(now: Date): Date {
  return new Date(now.getTime() + PAYMENT_WINDOW_MS);
}

/**
 * Marks every pending order whose payment window closed by `now` as `expired` (its coupon hold is given
 * back), in batches of `batchSize`; returns how many. Safe with several processes (SKIP LOCKED).
 */
export async function expireDueOrders(
  db: Deps["db"],
  now: Date = new Date(),
  batchSize = 200,
): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await db.tx((tx) => expirePendingOrders(tx, now, batchSize));
    total += expired.length;
    if (expired.length < batchSize) return total;
  }
}

export interface OrderExpiryOptions {
  /** Pause between sweeps. A lapsed hold already counts for nothing, so this only affects what is shown. */
  intervalMs?: number;
  clock?: () => Date;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Starts the expiry sweep in this process; returns `stop`, which waits for a running sweep. Sweeps never
 * overlap, and a failing one is logged and retried on the next.
 */
export function startOrderExpiry(deps: Pick<Deps, "db">, opts: OrderExpiryOptions = {}): () => Promise<void> {
  const intervalMs = opts.intervalMs ?? 60_000;
  const clock = opts.clock ?? (() => new Date());
  const log = opts.log ?? reportTo("orders");
  return startPeriodic(() => expireDueOrders(deps.db, clock()), {
    intervalMs,
    log,
    failure: "expiring unpaid orders failed",
  });
}
