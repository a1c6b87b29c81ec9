/**
 * Every venue write answers once committed, never waiting for the broker (services/venue/engine_path.ts
 * `publishCommitted`): with a broker that holds every publish (a slow Redis), a market order, a pending order,
 * its cancellation, a position's SL/TP and its close all still answer — and the broker still gets each
 * publish, issued before the answer, in commit order.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { cancelOrder, placeOrder } from "../services/venue/orders.ts";
import { closePosition, protectPosition } from "../services/venue/positions.ts";
import type { OrderInput } from "../services/venue/order_input.ts";
import { ACCOUNT_CHANGES_CHANNEL, VENUE_BOOK_CHANNEL } from "../services/bus/channels.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday: every market open
const AT = +START + 60_000;

const buy = (volume: string): OrderInput => ({ symbol: "BTCUSD", direction: "buy", type: "market", volume });
/** A buy limit below the ask: it waits for a tick. */
const limit = (price: string): OrderInput => ({ ...buy("0.10"), type: "limit", price });

/**
 * A broker that holds every publish (`publish` and `publishAll`) until `release`, recording what it was sent,
 * and an account with a BTCUSD price to trade on.
 */
async function heldBroker() {
  const db = await openTestDb();
  const userId = await newUser(db);
  const { accountId } = await openTestAccount(db, userId, { at: START });
  const prices = new PriceBook();
  prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: AT }]);
  const sent: { channel: string; version?: number }[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  const record = (channel: string, message: unknown) =>
    sent.push({ channel, version: (message as { stateVersion?: number }).stateVersion });
  const bus = Object.assign(new MemoryBus(), {
    publish(channel: string, message: unknown) {
      record(channel, message);
      return held;
    },
    publishAll(channels: readonly string[], message: unknown) {
      for (const channel of channels) record(channel, message);
      return held;
    },
  });
  return {
    db,
    userId,
    accountId,
    deps: { db, bus, prices },
    sent,
    /** The channels sent so far, the book's as "book", the rest as "change", and forgets them. */
    take() {
      const kinds = sent.map((s) => s.channel === VENUE_BOOK_CHANNEL ? "book" : "change");
      sent.length = 0;
      return kinds;
    },
    async close() {
      release();
      await db.close();
    },
  };
}

/** `p`, or a rejection once it waited 5 s (for the held broker). */
async function answered<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the write waited for the broker")), 5_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a market order answers without waiting for the broker, which gets its publishes in commit order", async () => {
  const t = await heldBroker();
  try {
    const { deps, userId, accountId, sent } = t;
    const first = await answered(placeOrder(deps, userId, accountId, buy("0.10"), "one", new Date(AT)));
    const second = await answered(
      placeOrder(deps, userId, accountId, buy("0.10"), "two", new Date(AT + 1000)),
    );
    assert.equal(first.order.status, "filled");
    assert.equal(second.order.status, "filled");
    // Each order's change (on the account's, its owner's and the all-accounts channel) then its book, in order.
    const versions = sent.filter((s) => s.channel === ACCOUNT_CHANGES_CHANNEL).map((s) => s.version!);
    assert.equal(versions.length, 2);
    assert.ok(versions[0] < versions[1], `published in commit order: ${versions}`);
    const order = ["change", "change", "change", "book"];
    assert.deepEqual(t.take(), [...order, ...order]);
  } finally {
    await t.close();
  }
});

Deno.test("a pending order and its cancellation answer without waiting for the broker, each book message sent", async () => {
  const t = await heldBroker();
  try {
    const { deps, userId, accountId } = t;
    const placed = await answered(
      placeOrder(deps, userId, accountId, limit("64000.00"), "pending", new Date(AT)),
    );
    assert.equal(placed.order.status, "pending");
    assert.deepEqual(t.take(), ["book"]);
    const cancelled = await answered(
      cancelOrder(deps, userId, accountId, placed.order.id, new Date(AT + 1000)),
    );
    assert.equal(cancelled.status, "cancelled");
    assert.deepEqual(t.take(), ["book"]);
  } finally {
    await t.close();
  }
});

Deno.test("a position's SL/TP and its close answer without waiting for the broker, each publish sent", async () => {
  const t = await heldBroker();
  try {
    const { deps, userId, accountId } = t;
    const { position } = await answered(
      placeOrder(deps, userId, accountId, buy("0.10"), "open", new Date(AT)),
    );
    t.take();
    const protectedOne = await answered(
      protectPosition(deps, userId, accountId, position!.id, { sl: "60000.00", tp: "70000.00" }),
    );
    assert.deepEqual([protectedOne.sl, protectedOne.tp], ["60000.00", "70000.00"]);
    assert.deepEqual(t.take(), ["book"]);
    const closed = await answered(
      closePosition(deps, userId, accountId, position!.id, {}, new Date(AT + 1000)),
    );
    assert.equal(closed.closedVolume, "0.1");
    assert.deepEqual(t.take(), ["change", "change", "change", "book"]);
  } finally {
    await t.close();
  }
});
