/**
 * What a market order costs the database, and what it sees (issue #14): its round trips are counted through
 * a proxy that delays every answer of the server (a round trip more would show as a delay more); the
 * positions it checks margin against are read after the account's lock is granted — an order that waited for
 * another to commit sees that one's position; and ownership, replays and an account that no longer trades are
 * judged from the reads sent with the lock.
 */
import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { openSchemaDb, openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { latencyProxy } from "./helpers/latency_proxy.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { PriceBook } from "../services/venue/price_book.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { VenueRefusal } from "../services/venue/refusals.ts";
import { NotFound } from "../lib/errors.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday: every market open
const AT = +START + 60_000;
const needsServer = () =>
  skipUnless(
    !!testEnv.databaseUrl,
    "DATABASE_URL is not set (two connections at once: not the embedded one)",
  );

/** A migrated schema of this test's own on the real server (`schema` names it for a second client). */
function scratch() {
  return openSchemaDb(testEnv.databaseUrl!, { prefix: "venue_order_path" });
}

const buy = (volume: string) => ({
  symbol: "BTCUSD",
  direction: "buy" as const,
  type: "market" as const,
  volume,
});

Deno.test({
  name: "a market order takes three round trips: BEGIN with the lock and its reads, the writes, COMMIT",
  ignore: needsServer(),
  async fn() {
    const DELAY = 40;
    const db = await scratch();
    const { schema } = db;
    const close = db.close;
    const server = new URL(testEnv.databaseUrl!);
    const proxy = latencyProxy({ hostname: server.hostname, port: Number(server.port || 5432) }, DELAY);
    const url = new URL(testEnv.databaseUrl!);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const statements: string[] = [];
    const slow = await openDb({
      url: url.toString(),
      schema,
      poolMax: 4,
      onQuery: (q) =>
        statements.push(`${(performance.now() % 100000).toFixed(0)} ${q.replace(/\s+/g, " ").slice(0, 90)}`),
    });
    try {
      const userId = await newUser(db);
      const { accountId } = await openTestAccount(db, userId, { at: START });
      const prices = new PriceBook();
      prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: AT }]);
      const deps = { db: slow, bus: new MemoryBus(), prices };
      const order = (i: number) =>
        placeOrder(deps, userId, accountId, buy("0.01"), `k-${i}`, new Date(AT + i * 1000));
      // Warm: connections opened, statements prepared, instruments and rules cached.
      for (let i = 0; i < 3; i++) await order(i);
      const took: number[] = [];
      for (let i = 3; i < 6; i++) {
        statements.length = 0;
        const t0 = performance.now();
        const placed = await order(i);
        took.push(performance.now() - t0);
        assert.equal(placed.order.status, "filled");
      }
      const fastest = Math.min(...took);
      // Each round trip waits DELAY ms at the proxy; the rest (CPU, the server) is well under one DELAY.
      assert.equal(
        Math.floor(fastest / DELAY),
        3,
        `${fastest.toFixed(0)} ms at ${DELAY} ms a round trip; statements:\n${statements.join("\n")}`,
      );
      // The statements of the last order: BEGIN with the lock (its row says whose the account is) and 3 reads
      // behind it; the engine's writes (one statement: write_change.ts writeChanges), the position and the order's
      // row; COMMIT.
      assert.equal(statements.length, 9, statements.join("\n"));
    } finally {
      await slow.close();
      await proxy.close();
      await close();
    }
  },
});

Deno.test({
  name: "an order that waited for the account's lock checks margin against the position committed meanwhile",
  ignore: needsServer(),
  async fn() {
    const db = await scratch();
    const close = db.close;
    const holder = await db.sql.reserve();
    try {
      const userId = await newUser(db);
      const { accountId } = await openTestAccount(db, userId, { at: START });
      const prices = new PriceBook();
      prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: AT }]);
      const deps = { db, bus: new MemoryBus(), prices };
      // 1.40 BTC at 1:2 holds ~45,500 of margin: two fit the 100K account, a third does not.
      await placeOrder(deps, userId, accountId, buy("1.40"), "first", new Date(AT));
      // Another transaction holds the account (as an order being filled does) ...
      await holder.unsafe("begin");
      await holder`select id from accounts where id = ${accountId} for update`;
      const [{ pid }] = await holder<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const waiting = placeOrder(deps, userId, accountId, buy("1.40"), "third", new Date(AT + 2000))
        .then(() => null, (error) => error);
      for (let i = 0; i < 200; i++) {
        const [{ n }] = await db.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where ${pid}::int = any(pg_blocking_pids(pid))`;
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // ... and opens the second position while the order waits for the lock.
      await holder`
        insert into venue_positions (id, account_id, trade_id, symbol, direction, volume, open_price, opened_at)
        values (${crypto.randomUUID()}, ${accountId}, 'V-meanwhile', 'BTCUSD', 'buy', 1.40, 65015.00,
                ${new Date(AT + 1000)})`;
      await holder.unsafe("commit");
      const error = await waiting;
      assert.ok(error instanceof VenueRefusal, `expected a refusal, got ${error}`);
      assert.equal(error.code, "insufficient_margin");
      const [{ open }] = await db.sql<{ open: number }[]>`
        select count(*)::int as open from venue_positions where account_id = ${accountId} and status = 'open'`;
      assert.equal(open, 2);
    } finally {
      holder.release();
      await close();
    }
  },
});

Deno.test("a market order on an account that stopped trading: 404 for another's, its replay, else not_trading", async () => {
  const db = await openTestDb();
  try {
    const userId = await newUser(db);
    const otherId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: START });
    const prices = new PriceBook();
    prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: AT }]);
    const deps = { db, bus: new MemoryBus(), prices };
    const first = await placeOrder(deps, userId, accountId, buy("0.10"), "before", new Date(AT));
    await db.sql`update accounts set status = 'failed' where id = ${accountId}`;
    const again = await placeOrder(deps, userId, accountId, buy("0.10"), "before", new Date(AT + 1000));
    assert.equal(again.replayed, true);
    assert.equal(again.order.id, first.order.id);
    const refused = await placeOrder(deps, userId, accountId, buy("0.10"), "after", new Date(AT + 2000))
      .then(() => null, (error) => error);
    assert.ok(refused instanceof VenueRefusal, `expected a refusal, got ${refused}`);
    assert.equal(refused.code, "not_trading");
    assert.match(refused.message, /status failed/);
    for (const [who, account] of [[otherId, accountId], [userId, crypto.randomUUID()]]) {
      const missing = await placeOrder(deps, who, account, buy("0.10"), "x", new Date(AT + 3000))
        .then(() => null, (error) => error);
      assert.ok(missing instanceof NotFound, `expected a 404, got ${missing}`);
    }
  } finally {
    await db.close();
  }
});
