/** Names of the bus channels more than one domain publishes or listens on. */

/**
 * The channel of one user: every change of their accounts (as on the account's own channel) and their
 * notifications — what `GET /api/users/stream` listens on, so accounts opened later are followed too.
 */
export function userChannel(userId: string): string {
  return `user:${userId}`;
}

/**
 * Tick batches of the venue's price feed (`{ ticks: Tick[] }`): the feed leader (or the process that took a
 * webhook batch) publishes, every process applies them to its own PriceBook (services/venue/feed_bus.ts).
 */
export const PRICE_TICKS_CHANNEL = "venue:ticks";

/**
 * The venue's book of an account changed (`{ accountIds: string[] }`: an order placed, filled, cancelled, a
 * position opened or closed): every process's marker re-reads those accounts (services/venue/marker.ts).
 */
export const VENUE_BOOK_CHANNEL = "venue:book";
