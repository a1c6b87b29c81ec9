/**
 * The marker's own writes of plain marks (services/venue/mark_writer.ts): the same rows as the engine path, at
 * the mark's own tick, never on top of a changed account, never waiting for an order; notifications still
 * recorded once.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync, syncLocked } from "../services/accounts/sync.ts";
import { lockAccount } from "../services/accounts/persist.ts";
import { replayAccount } from "../services/accounts/replay.ts";
import { stateFromJson, stateHash } from "../services/engine/state.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { START, T, tick } from "./helpers/venue_ticks.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { VenueMarker } from "../services/venue/marker.ts";
import type { Db } from "../db/client.ts";

/** An FTMO-style 100K account holding 10 lots of EURUSD bought at 1.08510, and a marker that never flushes. */
async function holding() {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const prices = new PriceBook();
  const userId = await newUser(db);
  const { accountId, planVersionId } = await openTestAccount(db, userId, { at: START });
  const deps = { db, bus, prices };
  prices.apply([{ symbol: "EURUSD", bid: "1.08500", ask: "1.08510", at: T(0) }]);
  await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "10.00",
    },
    crypto.randomUUID(),
    new Date(T(0)),
  );
  const marker = new VenueMarker(deps, { flushMs: 60_000 });
  await marker.start();
  /**
   * Stops the marker and leaves the account to no later test's marker: the embedded database is one per
   * module, where a marker follows every active account holding a position — and would mark another test's
   * account at the same ticks (`mark:EURUSD:<at>`), which that account applied already.
   */
  async function close() {
    try {
      await marker.stop();
      await db.sql`update accounts set status = 'closed' where id = ${accountId}`;
    } finally {
      await db.close();
    }
  }
  return { db, bus, prices, userId, accountId, planVersionId, deps, marker, close };
}

async function stateOf(db: Db, accountId: string) {
  const [row] = await db.sql<{ engine_state: unknown; status: string }[]>`
    select engine_state, status from accounts where id = ${accountId}`;
  return { state: stateFromJson(row.engine_state), status: row.status };
}

async function marks(db: Db, accountId: string) {
  return await db.sql<{ event_id: string; equity: string }[]>`
    select event_id, payload->>'equity' as equity from account_events
    where account_id = ${accountId} and type = 'equity' order by state_version`;
}

Deno.test("a flushed mark writes what demo-sync writes for the same events: state, samples, days, change log", async () => {
  const { db, prices, userId, accountId, planVersionId, deps, marker, close } = await holding();
  try {
    // Equity = 100,000 + (bid − 1.08510) × 1,000,000 − 35: losses, never a new high, no verdict.
    prices.apply([tick("1.08400", T(1))]); // 98,865.00
    prices.apply([tick("1.08380", T(1) + 300)]); // 98,665.00: the same second, the later wins
    prices.apply([tick("1.08450", T(3))]); // 99,365.00
    await marker.flush();
    assert.equal(marker.stats.engine, 0, "plain marks take no engine-path transaction");
    assert.ok(marker.stats.statements >= 1);
    assert.deepEqual((await marks(db, accountId)).map((m) => m.equity).slice(-1), ["99365.00"]);

    const twin = await openSibling(db, userId, planVersionId, START);
    const recorded = await db.sql<{ payload: SyncEvent }[]>`
      select payload from account_events where account_id = ${accountId} order by state_version`;
    await applySync(deps, twin, recorded.map((r) => r.payload), new Date(T(3)));
    const [a, b] = [await stateOf(db, accountId), await stateOf(db, twin)];
    assert.equal(stateHash(a.state), stateHash(b.state));
    const rowsOf = async (id: string) => ({
      account: (await db.sql`
        select status, balance, equity, daily_floor, max_floor, state_version, last_event_at, next_reset_at
        from accounts where id = ${id}`).map((r) => ({ ...r })),
      samples: (await db.sql`
        select at, balance, equity, daily_floor, max_floor, breach from equity_samples where account_id = ${id}
        order by at`).map((r) => ({ ...r })),
      days: (await db.sql`
        select trading_day, sod_balance, sod_equity, high_equity, low_equity, close_balance, close_equity, pnl,
               trades_opened
        from daily_stats where account_id = ${id}`).map((r) => ({ ...r })),
      changes: (await db.sql<{ state_version: number; kind: string; payload: Record<string, unknown> }[]>`
        select state_version, kind, payload from account_changes where account_id = ${id} order by state_version`)
        .map((r) => {
          // Ids, the write's clock and where the change started (one batch for the twin) differ.
          const { accountId: _a, previousVersion: _p, account, ...rest } = r.payload as {
            accountId: string;
            previousVersion: number;
            account: object;
          };
          const { id: _i, updatedAt: _u, challengeId: _c, ...summary } = account as Record<string, unknown>;
          return { v: r.state_version, kind: r.kind, ...rest, summary };
        }).slice(-1),
    });
    assert.deepEqual(await rowsOf(accountId), await rowsOf(twin));
    const [last] = await db.sql<{ payload: { previousVersion: number; stateVersion: number } }[]>`
      select payload from account_changes where account_id = ${accountId} order by state_version desc limit 1`;
    assert.equal(last.payload.previousVersion, last.payload.stateVersion - 1);
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    await close();
  }
});

Deno.test("a flush values a mark at its own tick: a breaching tick right behind it breaches with its own evidence", async () => {
  const { db, prices, accountId, marker, close } = await holding();
  try {
    prices.apply([tick("1.08400", T(1))]); // 98,865.00: dirty
    await marker.idle();
    // The flush is queued before the next tick, which the book already holds when the flush writes.
    const flushed = marker.flush();
    prices.apply([tick("1.07000", T(2))]); // 84,865.00: below the daily floor (95,000.00)
    await flushed;
    await marker.idle();
    assert.deepEqual((await marks(db, accountId)).map((m) => [m.event_id, m.equity]).slice(1, 2), [
      [`mark:EURUSD:${T(1)}`, "98865.00"],
    ]);
    const { state, status } = await stateOf(db, accountId);
    assert.equal(status, "failed");
    assert.equal(state.breach!.observed, "84865.00");
    assert.equal(state.breach!.cause.bid, "1.07000");
    assert.equal(state.breach!.cause.tickAt, new Date(T(2)).toISOString());
  } finally {
    await close();
  }
});

Deno.test("a new high-water mark is written at its tick without a flush, by one statement", async () => {
  const { db, prices, accountId, marker, close } = await holding();
  try {
    prices.apply([tick("1.08600", T(1))]); // 100,865.00 > 100,000.00
    await marker.idle();
    assert.equal(marker.stats.engine, 0);
    assert.equal(marker.stats.statements, 1);
    const { state } = await stateOf(db, accountId);
    assert.equal(state.highestEquity, 10086500n);
    assert.deepEqual((await marks(db, accountId)).map((m) => m.equity).slice(-1), ["100865.00"]);
  } finally {
    await close();
  }
});

Deno.test({
  name: "a flush skips an account an order holds (no waiting) and writes it through the engine path after",
  // Embedded mode has one connection: while the order's transaction holds it, the flush's statement waits for
  // the connection itself (not the row), so "skipped, not waited for" cannot be observed there.
  ignore: skipUnless(
    !!testEnv.databaseUrl,
    "DATABASE_URL is not set (two connections at once: not the embedded one)",
  ),
  fn: skipsHeld,
});

async function skipsHeld() {
  const { db, prices, accountId, marker, close } = await holding();
  // Released in `finally` too: a failed assertion must fail the test, not leave the transaction (and the
  // marker's stop, which waits for the flush behind it) waiting for ever.
  let release = () => {};
  const held = new Promise<void>((r) => release = r);
  try {
    prices.apply([tick("1.08400", T(1))]);
    await marker.idle();
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => locked = r);
    const tx = db.tx(async (tx) => {
      await tx`select id from accounts where id = ${accountId} for update`;
      locked();
      await held;
    });
    await isLocked;
    const flushed = marker.flush();
    // The statement answers while the row is held: the account was skipped, not waited for.
    const deadline = Date.now() + 5_000;
    while (marker.stats.statements === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(marker.stats.statements, 1);
    assert.deepEqual((await marks(db, accountId)).length, 1, "nothing written while held");
    release();
    await tx;
    await flushed;
    assert.equal(marker.stats.engine, 1);
    assert.deepEqual((await marks(db, accountId)).map((m) => m.equity).slice(-1), ["98865.00"]);
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    release();
    await close();
  }
}

Deno.test("a flush never writes over a change made since the mark: the engine path applies it on top", async () => {
  const { db, deps, prices, accountId, marker, close } = await holding();
  try {
    prices.apply([tick("1.08400", T(1))]); // 98,865.00, evaluated on the state after the order
    await marker.idle();
    // Another writer of the engine state lands first (here the engine path itself, as another process's venue
    // action would; a connector may not feed a venue's account): the account's version moves on.
    const outside: SyncEvent = {
      type: "equity",
      id: "outside-1",
      at: new Date(T(1) + 500).toISOString(),
      equity: "98800.00",
      balance: "100000.00",
    };
    await deps.db.tx(async (tx) =>
      await syncLocked(tx, await lockAccount(tx, accountId), new Set(), [outside], new Date(T(2)))
    );
    await marker.flush();
    assert.equal(marker.stats.engine, 1);
    const events = await db.sql<{ event_id: string }[]>`
      select event_id from account_events where account_id = ${accountId} order by state_version`;
    assert.deepEqual(events.map((e) => e.event_id).slice(-2), ["outside-1", `mark:EURUSD:${T(1)}`]);
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    await close();
  }
});

Deno.test("a plain mark crossing 50 % of the daily loss limit warns once; later marks are written by the marker", async () => {
  const { db, prices, userId, marker, close } = await holding();
  try {
    prices.apply([tick("1.08214", T(1))]); // 97,005.00: 59.9 % of the 5,000.00 used
    await marker.flush();
    assert.equal(marker.stats.engine, 1, "the first warning goes through the engine path");
    prices.apply([tick("1.08200", T(2))]); // 96,865.00: still past 50 %, under 80 %
    await marker.flush();
    assert.equal(marker.stats.engine, 1, "no second detour for a key already recorded");
    const rows = await db.sql<{ type: string; dedupe_key: string }[]>`
      select type, dedupe_key from notifications where user_id = ${userId}`;
    assert.deepEqual(rows.map((r) => r.type), ["daily_loss_warning"]);
    assert.match(rows[0].dedupe_key, /:50:/);
  } finally {
    await close();
  }
});
