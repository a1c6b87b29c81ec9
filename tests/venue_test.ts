/**
 * The built-in venue below HTTP on the real database: fills through the engine path, P&L to the cent,
 * tick-level breaches naming the tick, triggers, refusals, and a venue trade judged like a demo-sync one.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync, syncLocked } from "../services/accounts/sync.ts";
import { lockAccount } from "../services/accounts/persist.ts";
import { replayAccount } from "../services/accounts/replay.ts";
import { stateFromJson, stateHash } from "../services/engine/state.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { ftmo100k, topstep50k } from "../services/engine/testing.ts";
import { PriceBook, type Tick } from "../services/venue/price_book.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { closePosition, protectPosition } from "../services/venue/positions.ts";
import { venueAccount } from "../services/venue/account_view.ts";
import { VenueMarker } from "../services/venue/marker.ts";
import { VenueRefusal } from "../services/venue/refusals.ts";
import { positionPnl, realizedPnl, toAccountMoney } from "../services/venue/pnl.ts";
import { rateToAccount } from "../services/venue/conversion.ts";
import type { Db } from "../db/client.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday: FX open
const T = (s: number) => +START + 60_000 + s * 1000;

function tick(symbol: string, bid: string, ask: string, at: number): Tick {
  return { symbol, bid, ask, at };
}

async function setup(plan = ftmo100k()) {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const prices = new PriceBook();
  const userId = await newUser(db);
  const { accountId, planVersionId } = await openTestAccount(db, userId, { plan, at: START });
  const deps = { db, bus, prices };
  return { db, bus, prices, userId, accountId, deps, planVersionId };
}

let keys = 0;
const key = () => `k-${++keys}-${crypto.randomUUID()}`;

async function refusal(promise: Promise<unknown>): Promise<VenueRefusal> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VenueRefusal) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

async function stateOf(db: Db, accountId: string) {
  const [row] = await db.sql<{ engine_state: unknown; status: string }[]>`
    select engine_state, status from accounts where id = ${accountId}`;
  return { state: stateFromJson(row.engine_state), status: row.status };
}

Deno.test("P&L of a known sequence of fills, a USDJPY trade converted to USD, to the cent", () => {
  const usd = "1";
  // EURUSD: buy 1.00 lot at 1.08510, sell at bid 1.08760: +250.00 gross, 3.50 commission per side.
  const eur = { direction: "buy" as const, volume: "1.00", openPrice: "1.08510", contractSize: "100000" };
  assert.equal(positionPnl(eur, "1.08760"), "250.0000000");
  assert.equal(realizedPnl(eur, "1.08760", usd, "3.50", usd), "243.00");
  // GBPUSD: sell 0.30 at 1.27000, buy back at ask 1.27345: −103.50 gross.
  const gbp = { direction: "sell" as const, volume: "0.30", openPrice: "1.27000", contractSize: "100000" };
  assert.equal(realizedPnl(gbp, "1.27345", usd, "3.50", usd), "-105.60");
  // USDJPY: buy 2.00 at 150.000, close at bid 150.537: 107,400 JPY, at 1 / mid(150.537/150.549) USD.
  const book = new PriceBook();
  book.apply([tick("USDJPY", "150.537", "150.549", 1)]);
  const rate = rateToAccount(book, "JPY", "USD")!;
  const jpy = { direction: "buy" as const, volume: "2.00", openPrice: "150.000", contractSize: "100000" };
  assert.equal(positionPnl(jpy, "150.537"), "107400.00000");
  // 107400 / 150.543 = 713.4181728…  → 713.42; minus 2 × 7.00 commission.
  assert.equal(toAccountMoney(positionPnl(jpy, "150.537"), rate), "713.42");
  assert.equal(realizedPnl(jpy, "150.537", rate, "3.50", usd), "699.42");
  // XAUUSD sell 0.10 at 2350.00, buy back at 2362.55: −125.50.
  const xau = { direction: "sell" as const, volume: "0.10", openPrice: "2350.00", contractSize: "100" };
  assert.equal(realizedPnl(xau, "2362.55", usd, "3.50", usd), "-126.20");
});

Deno.test("a market order fills through the engine and its P&L (USDJPY in USD) lands in the balance", async () => {
  const { db, prices, userId, accountId, deps } = await setup();
  prices.apply([tick("USDJPY", "150.000", "150.012", T(0)), tick("EURUSD", "1.08500", "1.08510", T(0))]);
  const now = new Date(T(0));
  const placed = await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "USDJPY",
      direction: "buy",
      type: "market",
      volume: "2.00",
    },
    key(),
    now,
  );
  assert.equal(placed.order.status, "filled");
  assert.equal(placed.position?.openPrice, "150.012");
  prices.apply([tick("USDJPY", "150.537", "150.549", T(5))]);
  const view = await venueAccount(deps, userId, accountId, new Date(T(5)));
  // (150.537 − 150.012) × 200,000 = 105,000 JPY / 150.543 = 697.48 USD; opening commission 7.00.
  assert.equal(view.positions[0].pnl, "697.48"); // 697.4752…
  assert.equal(view.positions[0].commission, "7.00");
  assert.equal(view.equity, "100690.48");
  const closed = await closePosition(deps, userId, accountId, placed.position!.id, {}, new Date(T(5)));
  assert.equal(closed.pnl, "683.48");
  const { state } = await stateOf(db, accountId);
  assert.equal(state.balance, 10068348n);
  assert.deepEqual(state.positions, {});
  const [trade] = await db.sql`select pnl, exit_price from trades where account_id = ${accountId}`;
  assert.equal(trade.pnl, "683.48");
  assert.equal(trade.exit_price, "150.53700000");
  const replay = await replayAccount(db.sql, accountId);
  assert.equal(replay.replayed, replay.stored);
});

Deno.test("a position held into a falling market breaches at the exact tick, which the evidence names; it closes there", async () => {
  const { db, bus, prices, userId, accountId, deps } = await setup();
  prices.apply([tick("EURUSD", "1.08500", "1.08510", T(0))]);
  const placed = await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "10.00",
    },
    key(),
    new Date(T(0)),
  );
  const marker = new VenueMarker({ db, bus, prices }, { flushMs: 60_000 });
  await marker.start();
  try {
    // Equity = 100,000 + (bid − 1.08510) × 1,000,000 − 35 commission; the daily floor is 95,000.00.
    prices.apply([tick("EURUSD", "1.08300", "1.08310", T(1))]); // 97,865.00
    prices.apply([tick("EURUSD", "1.08100", "1.08110", T(2))]); // 95,865.00
    prices.apply([tick("EURUSD", "1.08020", "1.08030", T(3)), tick("EURUSD", "1.08010", "1.08020", T(4))]);
    prices.apply([tick("EURUSD", "1.07000", "1.07010", T(5))]);
    await marker.idle();
    const { state, status } = await stateOf(db, accountId);
    assert.equal(status, "failed");
    const evidence = state.breach!;
    assert.equal(evidence.rule, "daily_loss");
    assert.equal(evidence.observed, "94965.00");
    assert.deepEqual(
      {
        symbol: evidence.cause.symbol,
        bid: evidence.cause.bid,
        ask: evidence.cause.ask,
        at: evidence.cause.at,
      },
      { symbol: "EURUSD", bid: "1.08010", ask: "1.08020", at: new Date(T(4)).toISOString() },
    );
    assert.equal(evidence.cause.tickAt, new Date(T(4)).toISOString());
    const [position] = await db.sql`
      select status, close_price, close_reason from venue_positions where id = ${placed.position!.id}`;
    assert.deepEqual({ ...position }, {
      status: "closed",
      close_price: "1.08010000",
      close_reason: "breach",
    });
    const [trade] = await db.sql`select pnl, exit_price from trades where account_id = ${accountId}`;
    assert.equal(trade.pnl, "-5070.00"); // (1.08010 − 1.08510) × 1,000,000 − 2 × 35
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored, "the evidence's inputs replay");
    // Ticks 1–4 each evaluated; after the breach the account holds nothing, so tick 5 concerns no one.
    assert.equal(marker.stats.evaluations, 4);
  } finally {
    await marker.stop();
  }
});

Deno.test("limit, stop, stop-loss and take-profit trigger at the right tick", async () => {
  const { db, bus, prices, userId, accountId, deps } = await setup();
  prices.apply([tick("EURUSD", "1.08500", "1.08510", T(0)), tick("GBPUSD", "1.27000", "1.27012", T(0))]);
  const now = new Date(T(0));
  const limit = await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "limit",
      volume: "1.00",
      price: "1.08400",
    },
    key(),
    now,
  );
  const stop = await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "GBPUSD",
      direction: "sell",
      type: "stop",
      volume: "1.00",
      price: "1.26900",
      tp: "1.26500",
    },
    key(),
    now,
  );
  assert.equal(limit.order.status, "pending");
  assert.equal(stop.order.status, "pending");
  const marker = new VenueMarker({ db, bus, prices }, { flushMs: 60_000 });
  await marker.start();
  try {
    prices.apply([tick("EURUSD", "1.08400", "1.08410", T(1))]); // ask 1.08410 > 1.08400: not yet
    await marker.idle();
    assert.equal((await venueAccount(deps, userId, accountId, new Date(T(1)))).orders.length, 2);
    prices.apply([tick("EURUSD", "1.08390", "1.08400", T(2))]); // ask reaches the limit
    prices.apply([tick("GBPUSD", "1.26900", "1.26912", T(2))]); // bid reaches the stop
    await marker.idle();
    let view = await venueAccount(deps, userId, accountId, new Date(T(2)));
    assert.equal(view.orders.length, 0);
    const eur = view.positions.find((p) => p.symbol === "EURUSD")!;
    const gbp = view.positions.find((p) => p.symbol === "GBPUSD")!;
    assert.equal(eur.openPrice, "1.084");
    assert.equal(gbp.openPrice, "1.269");
    await protectPosition(deps, userId, accountId, eur.id, { sl: "1.08300", tp: null });
    await marker.idle();
    prices.apply([tick("EURUSD", "1.08301", "1.08311", T(3))]); // above the SL
    prices.apply([tick("GBPUSD", "1.26501", "1.26513", T(3))]); // ask above the TP
    await marker.idle();
    view = await venueAccount(deps, userId, accountId, new Date(T(3)));
    assert.equal(view.positions.length, 2);
    prices.apply([tick("EURUSD", "1.08299", "1.08309", T(4))]); // bid through the SL
    prices.apply([tick("GBPUSD", "1.26488", "1.26500", T(4))]); // ask at the TP
    await marker.idle();
    view = await venueAccount(deps, userId, accountId, new Date(T(4)));
    assert.equal(view.positions.length, 0);
    const closed = await db.sql`
      select symbol, close_price, close_reason from venue_positions where account_id = ${accountId}
      order by symbol`;
    assert.deepEqual(closed.map((r) => [r.symbol, r.close_price, r.close_reason]), [
      ["EURUSD", "1.08299000", "sl"],
      ["GBPUSD", "1.26500000", "tp"],
    ]);
    const replay = await replayAccount(db.sql, accountId);
    assert.equal(replay.replayed, replay.stored);
  } finally {
    await marker.stop();
  }
});

Deno.test("refusals: margin with figures, a closed market with when it opens, a paused and a self-locked account", async () => {
  const { db, prices, userId, accountId, deps } = await setup();
  prices.apply([tick("EURUSD", "1.08500", "1.08510", T(0)), tick("BTCUSD", "65000.00", "65015.00", T(0))]);
  const margin = await refusal(placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "100",
    },
    key(),
    new Date(T(0)),
  ));
  assert.equal(margin.code, "insufficient_margin");
  // 100 lots × 100,000 × 1.08500 (the bid a buy is marked at) / 100.
  assert.match(margin.message, /need \$108,500 \(1:100\), and \$100,000 is free/);

  const saturday = new Date("2026-03-07T12:00:00Z");
  // Sunday 17:05 New York, already in daylight time (the US switched that morning).
  const closed = await refusal(placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "1",
    },
    key(),
    saturday,
  ));
  assert.equal(closed.code, "market_closed");
  assert.match(closed.message, /opens at 2026-03-08T21:05:00\.000Z/);

  // Self-lock: one trade a day.
  await db.sql`insert into account_self_locks (account_id, max_trades_per_day) values (${accountId}, 1)`;
  await placeOrder(
    deps,
    userId,
    accountId,
    { symbol: "BTCUSD", direction: "buy", type: "market", volume: "0.10" },
    key(),
    new Date(T(0)),
  );
  const locked = await refusal(placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "BTCUSD",
      direction: "buy",
      type: "market",
      volume: "0.10",
    },
    key(),
    new Date(T(1)),
  ));
  assert.equal(locked.code, "self_locked");

  // A daily-loss pause (Topstep-style) refuses with when it resumes.
  const paused = await setup(topstep50k());
  const events: SyncEvent[] = [{
    type: "equity",
    id: "m1",
    at: new Date(T(0)).toISOString(),
    equity: "48900.00",
    balance: "50000.00",
  }];
  // Through the engine path the venue's own marks take (a connector may not feed a venue's account, and its
  // first batch would make the account the connector's: then the refusal is `platform`, tests/trade_source_test.ts).
  await paused.deps.db.tx(async (tx) =>
    await syncLocked(tx, await lockAccount(tx, paused.accountId), new Set(), events, new Date(T(0)))
  );
  paused.prices.apply([tick("EURUSD", "1.08500", "1.08510", T(1))]);
  const refusedPause = await refusal(placeOrder(
    paused.deps,
    paused.userId,
    paused.accountId,
    {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "1",
    },
    key(),
    new Date(T(1)),
  ));
  assert.equal(refusedPause.code, "account_paused");
  assert.match(refusedPause.message, /resumes at 2026-03-02T23:00:00\.000Z/);
});

Deno.test("a venue trade and the same trade sent through demo-sync give the same engine state", async () => {
  const venue = await setup();
  const { db, prices, userId, accountId, deps, planVersionId } = venue;
  prices.apply([tick("EURUSD", "1.08500", "1.08510", T(0))]);
  const placed = await placeOrder(
    deps,
    userId,
    accountId,
    {
      symbol: "EURUSD",
      direction: "sell",
      type: "market",
      volume: "2.00",
    },
    key(),
    new Date(T(0)),
  );
  prices.apply([tick("EURUSD", "1.08300", "1.08310", T(3))]);
  await closePosition(deps, userId, accountId, placed.position!.id, { volume: "0.50" }, new Date(T(3)));
  prices.apply([tick("EURUSD", "1.08200", "1.08210", T(6))]);
  await closePosition(deps, userId, accountId, placed.position!.id, {}, new Date(T(6)));

  // An outside connector reporting the same events (as recorded) to a twin account.
  const twin = await openSibling(db, userId, planVersionId, START);
  const recorded = await db.sql<{ payload: SyncEvent }[]>`
    select payload from account_events where account_id = ${accountId} order by state_version`;
  await applySync(deps, twin, recorded.map((r) => r.payload), new Date(T(6)));
  const a = await stateOf(db, accountId);
  const b = await stateOf(db, twin);
  assert.equal(stateHash(a.state), stateHash(b.state));
  // A partial close: 0.50 lots realized (+95.00 − 2 × 1.75), the rest (+435.00 − 2 × 5.25) later.
  const trades = await db.sql`
    select volume, pnl from trades where account_id = ${accountId} order by opened_at, closed_at`;
  assert.deepEqual(trades.map((t) => [t.volume, t.pnl]), [["0.50000", "91.50"], ["1.50000", "424.50"]]);
  assert.equal(a.state.balance, 10051600n);
});
