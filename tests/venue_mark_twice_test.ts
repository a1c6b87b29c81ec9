/**
 * A tick marked twice on the same state (services/venue/mark_writer.ts): the marker runs on the cluster leader
 * only, but at a hand-over the old leader's marker goes on until its election loop sees its lost session,
 * while the new leader's starts. The new one reads an account after the old one wrote a tick's mark and then
 * gets that tick itself: its mark has the recorded id (`mark:<symbol>:<at>`) on the very state version that
 * recorded it, so the version guard lets it through. The statement must leave that account out (the engine
 * path finds the mark applied) and write the others of its chunk, not fail them all on a duplicate key. One
 * process's marker no longer meets it: its book drops the latest tick applied again (a bus reconnect re-applies
 * the stored last quotes, services/venue/feed.ts `followPrices`).
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { replayAccount } from "../services/accounts/replay.ts";
import { PriceBook, type Tick } from "../services/venue/price_book.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { VenueMarker } from "../services/venue/marker.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday: FX open
const T = (s: number) => +START + 60_000 + s * 1000;
const quote = (symbol: string, bid: string, at: number): Tick => ({
  symbol,
  bid,
  ask: (Number(bid) + 0.0001).toFixed(5),
  at,
});

/**
 * Two accounts of one trader, one holding EURUSD and one GBPUSD (bought at T(0) on `older`), and a marker
 * started on `older` (the old leader's) that has written the EURUSD account's mark of T(1).
 */
async function marked() {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const userId = await newUser(db);
  const { accountId: eur, planVersionId } = await openTestAccount(db, userId, { at: START });
  const gbp = await openSibling(db, userId, planVersionId, START);
  const opening = [quote("EURUSD", "1.08500", T(0)), quote("GBPUSD", "1.26500", T(0))];
  // Each process has its own book: the old leader's, and the new one's, primed with the stored quotes.
  const [older, newer] = [new PriceBook(), new PriceBook()];
  older.apply(opening);
  newer.apply(opening);
  for (const [accountId, symbol] of [[eur, "EURUSD"], [gbp, "GBPUSD"]]) {
    await placeOrder(
      { db, bus, prices: older },
      userId,
      accountId,
      { symbol, direction: "buy", type: "market", volume: "1.00" },
      crypto.randomUUID(),
      new Date(T(0)),
    );
  }
  const markers: VenueMarker[] = [];
  const marker = (prices: PriceBook) => {
    const m = new VenueMarker({ db, bus, prices }, { flushMs: 60_000 });
    markers.push(m);
    return m;
  };
  const first = marker(older);
  await first.start();
  older.apply([quote("EURUSD", "1.08400", T(1))]); // a loss: a plain mark
  await first.flush();
  assert.equal(first.stats.engine, 0);
  /** The chunk with both accounts after T(1) came again: one statement, the EURUSD account left out. */
  const checkTwice = async (m: VenueMarker, before = { statements: 0, engine: 0 }) => {
    assert.equal(m.stats.statements - before.statements, 1, "both accounts in one statement");
    assert.equal(
      m.stats.engine - before.engine,
      1,
      "only the account that applied T(1) takes the engine path",
    );
    await checkMarks();
  };
  /** T(1) marked once on the EURUSD account and on the GBPUSD one, both replaying to their stored state. */
  const checkMarks = async () => {
    const marks = await db.sql<{ account_id: string; event_id: string }[]>`
      select account_id, event_id from account_events
      where account_id = any(${[eur, gbp]}) and event_id like 'mark:%' order by state_version`;
    const of = (id: string) => marks.filter((m) => m.account_id === id).map((m) => m.event_id);
    assert.deepEqual(of(eur).filter((id) => id === `mark:EURUSD:${T(1)}`).length, 1);
    assert.ok(of(gbp).includes(`mark:GBPUSD:${T(1)}`));
    for (const id of [eur, gbp]) {
      const replay = await replayAccount(db.sql, id);
      assert.equal(replay.replayed, replay.stored);
    }
  };
  return {
    older,
    newer,
    first,
    marker,
    checkTwice,
    checkMarks,
    /** Leaves the accounts to no later test's marker (the embedded database is shared by the module). */
    async close() {
      try {
        for (const m of markers) await m.stop();
        await db.sql`update accounts set status = 'closed' where id = any(${[eur, gbp]})`;
      } finally {
        await db.close();
      }
    },
  };
}

/** T(1) again, with GBPUSD's tick of the same instant. */
const again = () => [quote("EURUSD", "1.08400", T(1)), quote("GBPUSD", "1.26450", T(1))];

Deno.test("two markers at a hand-over: the tick the other one wrote leaves that account to the engine path, the rest of the chunk is written", async () => {
  const t = await marked();
  try {
    // The new leader's marker reads both accounts (the EURUSD one with the mark of T(1)), then gets T(1).
    const second = t.marker(t.newer);
    await second.start();
    t.newer.apply(again());
    await second.flush();
    await t.checkTwice(second);
  } finally {
    await t.close();
  }
});

Deno.test("one marker whose book is given a tick again drops it: no second evaluation, no duplicate to skip", async () => {
  const t = await marked();
  try {
    // What a bus reconnect does: the stored last quotes are applied again. EURUSD's T(1) is the book's latest
    // already (dropped); GBPUSD's T(1) is new to it (taken).
    const before = { ...t.first.stats };
    t.older.apply(again());
    await t.first.flush();
    assert.equal(t.first.stats.evaluations - before.evaluations, 1, "only GBPUSD's new tick is evaluated");
    assert.equal(t.first.stats.statements - before.statements, 1);
    assert.equal(t.first.stats.engine - before.engine, 0, "nothing left for the engine path");
    await t.checkMarks();
  } finally {
    await t.close();
  }
});
