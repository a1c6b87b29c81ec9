/**
 * Venue writes that read a row, check, then write it: a change landing in between must not be answered as if
 * it had not happened. A position's SL/TP (services/venue/positions.ts `protectPosition`) is read and checked
 * against the mark before it is written, while a tick hitting its SL/TP or the trader's other tab may close it;
 * an order's cancellation (services/venue/orders.ts `cancelOrder`) may meet an order just filled or cancelled.
 * Each test lands that change deterministically: the database handle runs it just before the update is sent.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import type { Db } from "../db/client.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { openPositions } from "../services/venue/book.ts";
import { cancelOrder, placeOrder } from "../services/venue/orders.ts";
import { closePosition, protectPosition } from "../services/venue/positions.ts";
import { HttpError } from "../lib/errors.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday: every market open
const AT = +START + 60_000;

/** `db` whose `sql` runs `before` ahead of the first statement whose text matches `pattern`. */
function beforeStatement(db: Db, pattern: RegExp, before: () => Promise<unknown>): Db {
  let fired = false;
  const sql = new Proxy(db.sql, {
    apply(target, self, args) {
      const [strings] = args;
      if (!fired && Array.isArray(strings) && pattern.test(strings.join("?"))) {
        fired = true;
        return before().then(() => Reflect.apply(target, self, args));
      }
      return Reflect.apply(target, self, args);
    },
  });
  return { ...db, sql };
}

/** An account holding 0.10 BTCUSD, and a bus recording every channel published to. */
async function holding() {
  const db = await openTestDb();
  const userId = await newUser(db);
  const { accountId } = await openTestAccount(db, userId, { at: START });
  const prices = new PriceBook();
  prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: AT }]);
  const sent: string[] = [];
  const bus = Object.assign(new MemoryBus(), {
    publish(channel: string, _message: unknown) {
      sent.push(channel);
      return Promise.resolve();
    },
    publishAll(channels: readonly string[], _message: unknown) {
      sent.push(...channels);
      return Promise.resolve();
    },
  });
  const deps = { db, bus, prices };
  const { position } = await placeOrder(
    deps,
    userId,
    accountId,
    { symbol: "BTCUSD", direction: "buy", type: "market", volume: "0.10" },
    "open",
    new Date(AT),
  );
  sent.length = 0;
  /** `deps` whose SL/TP update is preceded by `close` (closing `volume` lots, all when absent). */
  const racing = (volume?: string) => {
    const close = () =>
      closePosition(deps, userId, accountId, position!.id, volume ? { volume } : {}, new Date(AT + 1000));
    return { ...deps, db: beforeStatement(db, /update venue_positions set sl/, close) };
  };
  return { db, userId, accountId, positionId: position!.id, sent, racing, deps };
}

Deno.test("SL/TP on a position closed after it was read: a 409 with a sentence, nothing written or published", async () => {
  const { db, userId, accountId, positionId, sent, racing } = await holding();
  try {
    await assert.rejects(
      protectPosition(racing(), userId, accountId, positionId, { sl: "60000.00", tp: "70000.00" }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.deepEqual(error.toJSON(), {
          error: {
            code: "conflict",
            message: "The position was closed meanwhile; its stop-loss and take-profit were not set.",
          },
        });
        assert.equal(error.status, 409);
        return true;
      },
    );
    const [row] = await db.sql`select status, sl, tp from venue_positions where id = ${positionId}`;
    assert.deepEqual({ ...row }, { status: "closed", sl: null, tp: null });
    const closes = sent.length;
    assert.ok(closes > 0, "the close published");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(sent.length, closes, "nothing published by the SL/TP");
  } finally {
    await db.close();
  }
});

Deno.test("SL/TP on a position partly closed after it was read: set on what is left, answered as it is now", async () => {
  const { db, userId, accountId, positionId, racing } = await holding();
  try {
    const [before] = await db.sql<{ trade_id: string }[]>`
      select trade_id from venue_positions where id = ${positionId}`;
    const position = await protectPosition(racing("0.04"), userId, accountId, positionId, {
      sl: "60000.00",
      tp: "70000.00",
    });
    const [now] = await openPositions(db.sql, [accountId]);
    assert.deepEqual(
      [now.id, now.volume, now.sl, now.tp],
      [positionId, "0.06", "60000", "70000"],
      "the levels are set on what is left",
    );
    assert.notEqual(now.tradeId, before.trade_id, "the rest is a trade of its own");
    assert.deepEqual(
      [position.volume, position.tradeId, position.sl, position.tp],
      ["0.06", now.tradeId, "60000.00", "70000.00"],
    );
  } finally {
    await db.close();
  }
});

Deno.test("cancelling an order settled after the request came: the 409 names the status it has now", async () => {
  const { db, userId, accountId, sent, deps } = await holding();
  try {
    const { order } = await placeOrder(
      deps,
      userId,
      accountId,
      { symbol: "BTCUSD", direction: "buy", type: "limit", volume: "0.10", price: "64000.00" },
      "pending",
      new Date(AT),
    );
    // The trader's other tab cancels it first.
    const other = () => cancelOrder(deps, userId, accountId, order.id, new Date(AT + 500));
    const racing = {
      ...deps,
      db: beforeStatement(db, /update venue_orders set status = 'cancelled'/, other),
    };
    sent.length = 0;
    await assert.rejects(
      cancelOrder(racing, userId, accountId, order.id, new Date(AT + 1000)),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.deepEqual([error.status, error.message], [
          409,
          "The order is cancelled and can no longer be cancelled.",
        ]);
        return true;
      },
    );
    assert.equal(sent.length, 1, "one book message: the other tab's");
  } finally {
    await db.close();
  }
});
