/**
 * The marker learns of a fill through the `venue:book` message; the ticks it processes between the fill's
 * commit and its reload of the account are evaluated for the new position once it is loaded (issue #14:
 * every tick for every holder), each at its own tick and quotes, and a tick the fill already marked is not
 * marked again.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { type BusHandler, MemoryBus } from "../services/bus/mod.ts";
import { VENUE_BOOK_CHANNEL } from "../services/bus/channels.ts";
import { stateFromJson } from "../services/engine/state.ts";
import { replayAccount } from "../services/accounts/replay.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { START, T, tick } from "./helpers/venue_ticks.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { VenueMarker } from "../services/venue/marker.ts";

/** A bus whose `venue:book` messages wait for `release()`: the marker's reload comes after the ticks sent. */
class HeldBook extends MemoryBus {
  #held: (() => void)[] = [];
  override subscribe(channel: string, handler: BusHandler) {
    if (channel !== VENUE_BOOK_CHANNEL) return super.subscribe(channel, handler);
    return super.subscribe(channel, (message) => {
      this.#held.push(() => handler(message));
    });
  }
  release(): void {
    for (const deliver of this.#held.splice(0)) deliver();
  }
}

/** An FTMO-style 100K account, a marker following nothing yet, and a buy of 10 lots of EURUSD at 1.08510. */
async function filled() {
  const db = await openTestDb();
  const bus = new HeldBook();
  const prices = new PriceBook();
  const userId = await newUser(db);
  const { accountId } = await openTestAccount(db, userId, { at: START });
  const deps = { db, bus, prices };
  prices.apply([tick("1.08500", T(0))]);
  const marker = new VenueMarker(deps, { flushMs: 60_000 });
  await marker.start();
  await placeOrder(
    deps,
    userId,
    accountId,
    { symbol: "EURUSD", direction: "buy", type: "market", volume: "10.00" },
    crypto.randomUUID(),
    new Date(T(0)),
  );
  // The order's `venue:book` message has reached the bus and waits there.
  await new Promise((r) => setTimeout(r, 0));
  async function close() {
    try {
      await marker.stop();
      await db.sql`update accounts set status = 'closed' where id = ${accountId}`;
    } finally {
      await db.close();
    }
  }
  return { db, bus, prices, accountId, marker, close };
}

async function stateOf(db: Awaited<ReturnType<typeof openTestDb>>, accountId: string) {
  const [row] = await db.sql<{ engine_state: unknown; status: string }[]>`
    select engine_state, status from accounts where id = ${accountId}`;
  return { state: stateFromJson(row.engine_state), status: row.status };
}

Deno.test("a tick between a fill's commit and the marker's reload breaches the new position, naming that tick", async () => {
  const { db, bus, prices, accountId, marker, close } = await filled();
  try {
    prices.apply([tick("1.07000", T(1))]); // 84,865.00: below the daily floor (95,000.00)
    await marker.idle();
    assert.equal(marker.holders, 0, "the fill is not known to the marker yet");
    prices.apply([tick("1.08500", T(2))]); // back above the floor before the reload
    await marker.idle();
    bus.release();
    await new Promise((r) => setTimeout(r, 0));
    await marker.idle();
    const { state, status } = await stateOf(db, accountId);
    assert.equal(status, "failed");
    assert.equal(state.breach!.observed, "84865.00");
    assert.equal(state.breach!.cause.bid, "1.07000");
    assert.equal(state.breach!.cause.tickAt, new Date(T(1)).toISOString());
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    await close();
  }
});

Deno.test("the ticks missed before the reload are marked once each, after the fill's own mark", async () => {
  const { db, bus, prices, accountId, marker, close } = await filled();
  try {
    prices.apply([tick("1.08400", T(1))]); // 98,865.00
    prices.apply([tick("1.08450", T(2))]); // 99,365.00: the latest, written by the flush
    await marker.idle();
    bus.release();
    await new Promise((r) => setTimeout(r, 0));
    await marker.idle();
    assert.equal(marker.holders, 1);
    await marker.flush();
    const marks = await db.sql<{ event_id: string; equity: string }[]>`
      select event_id, payload->>'equity' as equity from account_events
      where account_id = ${accountId} and type = 'equity' order by state_version`;
    // The fill's own mark (a fresh id), then the latest missed tick's: one mark per tick, at its own quotes.
    assert.equal(marks.length, 2);
    assert.deepEqual(marks.slice(1).map((m) => [m.event_id, m.equity]), [[
      `mark:EURUSD:${T(2)}`,
      "99365.00",
    ]]);
    const { status } = await stateOf(db, accountId);
    assert.equal(status, "active");
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    await close();
  }
});
