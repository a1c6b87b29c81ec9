/**
 * Trade history (keyset pages, filters, CSV) and the equity samples the live path writes, on the real
 * database through the services.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sync } from "./helpers/sync.ts";
import { testEnv } from "./helpers/env.ts";
import type { Db } from "../db/client.ts";
import { createBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { rollDueAccounts } from "../services/accounts/scheduler.ts";
import { historyPage, historyScope } from "../services/trading/history.ts";
import { csvField, historyCsv } from "../services/trading/history_csv.ts";
import { loadEquityHistory } from "../services/trading/equity.ts";
import { statisticsOf } from "../services/trading/statistics_queries.ts";
import { type ClosedTrade, equityDrawdown } from "../services/trading/statistics.ts";
import { statisticsOfTrades } from "../services/trading/statistics_aggregate.ts";
import { findReadableAccount } from "../services/accounts/access.ts";
import { toMinor } from "../services/money.ts";

const START = Date.parse("2026-06-01T08:00:00Z");

/** Inserts closed/open trades straight into `accountId` (arrangement only; the service reads them). */
async function insertTrades(
  db: Db,
  accountId: string,
  rows: { ext: string; at: number; pnl: string | null; symbol?: string; direction?: string }[],
) {
  for (const r of rows) {
    await db.sql`
      insert into trades (account_id, external_id, symbol, direction, volume, entry_price, exit_price, pnl, status,
                          opened_at, closed_at)
      values (${accountId}, ${r.ext}, ${r.symbol ?? "EURUSD"}, ${r.direction ?? "buy"}, 1, 1.1,
              ${r.pnl === null ? null : 1.2}, ${r.pnl}, ${r.pnl === null ? "open" : "closed"}, ${new Date(
      r.at,
    )},
              ${r.pnl === null ? null : new Date(r.at + 60_000)})`;
  }
}

Deno.test("trade history: keyset pages never skip or repeat a row while trades are inserted between fetches", async () => {
  const db = await openTestDb();
  try {
    const userId = await newUser(db);
    const { accountId, planVersionId } = await openTestAccount(db, userId, { at: new Date(START) });
    const second = await openSibling(db, userId, planVersionId, new Date(START));
    // 60 trades over two accounts; every third pair shares an opened_at (ties are broken by id).
    const existing = Array.from({ length: 60 }, (_, i) => ({
      ext: `E-${i}`,
      at: START + Math.floor(i / 2) * 60_000,
      pnl: i % 5 === 0 ? null : String((i % 7) - 3),
    }));
    await insertTrades(db, accountId, existing.filter((_, i) => i % 2 === 0));
    await insertTrades(db, second, existing.filter((_, i) => i % 2 === 1));
    const user = { id: userId, role: "trader" as const };
    const scope = await historyScope(db.sql, user, {});
    const before = await db.sql<{ id: string }[]>`
      select id from trades where account_id in (${accountId}, ${second})`;

    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    let lastKey = Infinity;
    do {
      const got = await historyPage(db.sql, scope, {}, { limit: 7, cursor });
      for (const item of got.items) {
        seen.push(item.id);
        assert.ok(Date.parse(item.openedAt) <= lastKey, "newest first");
        lastKey = Date.parse(item.openedAt);
      }
      cursor = got.nextCursor ?? undefined;
      // Between fetches: a newer trade, one at the very instant of rows still to come, and one far older.
      page++;
      await insertTrades(db, page % 2 ? accountId : second, [
        { ext: `N-${page}`, at: START + 3_600_000 + page, pnl: "1" },
        { ext: `T-${page}`, at: START + 10 * 60_000, pnl: "2" },
        { ext: `O-${page}`, at: START - 86_400_000 - page, pnl: null },
      ]);
    } while (cursor);

    assert.equal(new Set(seen).size, seen.length, "a row was repeated");
    const missing = before.filter((r) => !seen.includes(r.id));
    assert.deepEqual(missing, [], "a row that existed before the first page was skipped");
    assert.ok(page >= 9, `paged ${page} times`);
  } finally {
    await db.close();
  }
});

Deno.test("trade history: filters, scope, newer pages, cursors, CSV", async (t) => {
  const db = await openTestDb();
  try {
    const userId = await newUser(db);
    const otherId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: new Date(START) });
    const { accountId: foreign } = await openTestAccount(db, otherId, { at: new Date(START) });
    await insertTrades(db, accountId, [
      { ext: "w1", at: START, pnl: "10.00", symbol: "XAUUSD", direction: "sell" },
      { ext: "l1", at: START + 1000, pnl: "-5.00" },
      { ext: "b1", at: START + 2000, pnl: "0.00" },
      { ext: "o1", at: START + 3000, pnl: null, symbol: "=HYPERLINK(1)" },
      { ext: "w2", at: START + 86_400_000, pnl: "3.50" },
    ]);
    await insertTrades(db, foreign, [{ ext: "x1", at: START, pnl: "1.00" }]);
    const user = { id: userId, role: "trader" as const };
    const list = async (filters: Parameters<typeof historyPage>[2], limit = 50) =>
      (await historyPage(db.sql, await historyScope(db.sql, user, filters), filters, { limit })).items
        .map((i) => i.tradeId);

    await t.step("each filter", async () => {
      assert.deepEqual(await list({}), ["w2", "o1", "b1", "l1", "w1"]);
      assert.deepEqual(await list({ result: "win" }), ["w2", "w1"]);
      assert.deepEqual(await list({ result: "loss" }), ["l1"]);
      assert.deepEqual(await list({ result: "breakeven" }), ["b1"]);
      assert.deepEqual(await list({ result: "open" }), ["o1"]);
      assert.deepEqual(await list({ symbol: "XAUUSD" }), ["w1"]);
      assert.deepEqual(await list({ direction: "sell" }), ["w1"]);
      assert.deepEqual(await list({ from: new Date(START + 1000), to: new Date(START + 3000) }), [
        "b1",
        "l1",
      ]);
      assert.deepEqual(await list({ accountId }), ["w2", "o1", "b1", "l1", "w1"]);
    });

    await t.step("another trader's account is not found (and audited); staff may read it", async () => {
      await assert.rejects(() => historyScope(db.sql, user, { accountId: foreign }), { status: 404 });
      const [audit] = await db.sql`select action from audit_log where target_id = ${foreign}`;
      assert.equal(audit.action, "authz.denied");
      const staff = await historyScope(db.sql, { id: userId, role: "risk" }, { accountId: foreign });
      assert.deepEqual([...staff.accounts.keys()], [foreign]);
    });

    await t.step("older then newer: the same pages back", async () => {
      const scope = await historyScope(db.sql, user, {});
      const p1 = await historyPage(db.sql, scope, {}, { limit: 2 });
      const p2 = await historyPage(db.sql, scope, {}, { limit: 2, cursor: p1.nextCursor! });
      const p3 = await historyPage(db.sql, scope, {}, { limit: 2, cursor: p2.nextCursor! });
      assert.equal(p1.prevCursor, null);
      assert.equal(p3.nextCursor, null);
      assert.deepEqual(p3.items.map((i) => i.tradeId), ["w1"]);
      const back = await historyPage(db.sql, scope, {}, { limit: 2, before: p3.prevCursor! });
      assert.deepEqual(back.items, p2.items);
      const first = await historyPage(db.sql, scope, {}, { limit: 2, before: back.prevCursor! });
      assert.deepEqual(first.items, p1.items);
      await assert.rejects(
        () => historyPage(db.sql, scope, {}, { limit: 2, cursor: "bm90LWEtY3Vyc29y" }),
        { status: 422 },
      );
    });

    await t.step("CSV: every row, RFC 4180 quoting, formulas defused", async () => {
      const scope = await historyScope(db.sql, user, {});
      const text = await new Response(historyCsv(db.sql, scope, {})).text();
      const lines = text.split("\r\n");
      assert.equal(lines.at(-1), "");
      assert.equal(lines.length, 1 + 5 + 1);
      assert.match(
        lines[0],
        /^id,tradeId,accountId,symbol,direction,volume,entryPrice,exitPrice,pnl,currency,/,
      );
      assert.match(lines[2], /,'=HYPERLINK\(1\),buy,/);
      assert.match(lines[4], /,-5\.00,USD,closed,/);
      assert.equal(csvField('say "hi", ok'), '"say ""hi"", ok"');
      assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
      assert.equal(csvField("+1+2"), "'+1+2");
      assert.equal(csvField("-300.00"), "-300.00");
      assert.equal(csvField("-1+cmd"), "'-1+cmd");
      assert.equal(csvField("a\nb"), '"a\nb"');
      assert.equal(csvField(null), "");
    });
  } finally {
    await db.close();
  }
});

Deno.test("equity samples: one per second (the last wins), every breach, resets, bucketed history", async () => {
  const db = await openTestDb();
  const bus = await createBus({ redisUrl: testEnv.redisUrl });
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: new Date(START) });
    const iso = (ms: number) => new Date(START + ms).toISOString();
    const deps = { db, bus };
    const now = new Date(START + 3 * 86_400_000);
    // Three marks in the same second, then one in the next; a second batch in that same second again.
    await applySync(deps, accountId, [
      sync.mark("100100.00", "100000.00", iso(60_000)),
      sync.mark("100200.00", "100000.00", iso(60_300)),
      sync.mark("100300.00", "100000.00", iso(60_900)),
      sync.mark("100400.00", "100000.00", iso(61_000)),
    ], now);
    await applySync(deps, accountId, [sync.mark("100450.00", "100000.00", iso(61_500))], now);
    const rows = await db.sql<{ at: Date; equity: string; breach: string | null }[]>`
      select at, equity::text, breach from equity_samples where account_id = ${accountId} order by at`;
    assert.deepEqual(rows.map((r) => [r.at.toISOString(), r.equity, r.breach]), [
      [iso(0), "100000.00", null], // opened
      [iso(60_900), "100300.00", null],
      [iso(61_500), "100450.00", null],
    ]);

    // A reset roll writes a sample; a daily-loss breach writes its own row beside the regular one.
    await rollDueAccounts(deps, new Date(START + 86_400_000));
    const afterReset = await db
      .sql`select count(*)::int as n from equity_samples where account_id = ${accountId}`;
    assert.ok(afterReset[0].n >= 4, `reset sample written (${afterReset[0].n} rows)`);
    await applySync(deps, accountId, [sync.mark("94000.00", "100000.00", iso(86_400_000 + 3_600_000))], now);
    const breaches = await db.sql`
      select breach, equity::text from equity_samples where account_id = ${accountId} and breach is not null`;
    assert.deepEqual(breaches.map((b) => [b.breach, b.equity]), [["daily_loss", "94000.00"]]);

    // The database's equity fall (statistics) is the pure core's over the same samples.
    const samples = await db.sql<{ at: Date; equity: string }[]>`
      select at, equity::text from equity_samples where account_id = ${accountId} order by at`;
    const account = await findReadableAccount(db.sql, { id: userId, role: "trader" }, accountId);
    const stats = await statisticsOf(db.sql, account);
    const core = equityDrawdown(samples.map((r) => ({ at: +r.at, equity: toMinor(r.equity) })));
    assert.deepEqual(stats.maxDrawdownEquity, core);
    assert.equal(core?.amount, "6450.00"); // 100450.00 → 94000.00

    const history = await loadEquityHistory(
      db.sql,
      { id: accountId, currency: "USD", createdAt: new Date(START) },
      { from: new Date(START), to: new Date(START + 2 * 86_400_000), resolution: "1h" },
    );
    assert.equal(history.resolution, "1h");
    // The first hour's bucket holds its last sample.
    assert.deepEqual(history.points[0], {
      time: iso(0),
      balance: "100000.00",
      equity: "100450.00",
      dailyFloor: "95000.00",
      maxFloor: "90000.00",
    });
    assert.equal(history.points.at(-1)!.equity, "94000.00");
    assert.deepEqual(history.breaches, [{
      at: iso(86_400_000 + 3_600_000),
      rule: "daily_loss",
      equity: "94000.00",
    }]);
    const auto = await loadEquityHistory(db.sql, {
      id: accountId,
      currency: "USD",
      createdAt: new Date(START),
    }, {
      now,
    });
    assert.equal(auto.resolution, "5m"); // 3 days = 864 five-minute buckets ≤ 1,000 (4,320 one-minute ones)
    await assert.rejects(
      () =>
        loadEquityHistory(db.sql, {
          id: accountId,
          currency: "USD",
          createdAt: new Date(START - 30 * 86_400_000),
        }, {
          now,
          resolution: "1m",
        }),
      { status: 422 },
    );
  } finally {
    await bus.close();
    await db.close();
  }
});

Deno.test("statistics: the database's aggregates give exactly the pure core's figures", async () => {
  const db = await openTestDb();
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: new Date(START) });
    // 300 trades over ~3 weeks: repeated P&Ls (ties for best/worst), breakevens, closes around Prague
    // midnight (22:00 UTC in June), a fall and a recovery of the balance.
    const rows = Array.from({ length: 300 }, (_, i) => {
      const at = START + i * 97 * 60_000;
      const cents = ((i * 7919) % 4001) - 1900 - (i > 150 && i < 200 ? 1500 : 0);
      return {
        ext: `S-${i}`,
        at,
        pnl: (cents / 100).toFixed(2),
        symbol: ["EURUSD", "XAUUSD", "US500"][i % 3],
        direction: i % 4 ? "buy" : "sell",
      };
    });
    rows.push({
      ext: "S-tie",
      at: START + 5 * 60_000,
      pnl: rows.map((r) => +r.pnl).reduce((a, b) => Math.max(a, b)).toFixed(2),
      symbol: "EURUSD",
      direction: "buy",
    });
    await insertTrades(db, accountId, rows);
    const account = await findReadableAccount(db.sql, { id: userId, role: "trader" }, accountId);
    const [{ reset }] = await db.sql`
      select v.definition -> 'reset' as reset from accounts a join plan_versions v on v.id = a.plan_version_id
      where a.id = ${accountId}`;
    for (
      const range of [{}, { from: new Date(START + 3 * 86_400_000), to: new Date(START + 12 * 86_400_000) }]
    ) {
      const fromDb = await statisticsOf(db.sql, account, range);
      const trades = await db.sql<
        {
          id: string;
          external_id: string;
          symbol: string;
          direction: "buy" | "sell";
          pnl: string;
          opened_at: Date;
          closed_at: Date;
        }[]
      >`
        select id, external_id, symbol, direction, pnl::text, opened_at, closed_at from trades
        where account_id = ${accountId} and status = 'closed'
          and (${range.from ?? null}::timestamptz is null or closed_at >= ${range.from ?? null})
          and (${range.to ?? null}::timestamptz is null or closed_at < ${range.to ?? null})
        order by closed_at, id`;
      const [{ before }] = await db.sql`
        select coalesce(sum(pnl), 0)::text as before from trades
        where account_id = ${accountId} and status = 'closed' and closed_at < ${range.from ?? new Date(0)}`;
      const closed: ClosedTrade[] = trades.map((t) => ({
        id: t.id,
        tradeId: t.external_id,
        symbol: t.symbol,
        direction: t.direction,
        pnl: toMinor(t.pnl),
        openedAt: +t.opened_at,
        closedAt: +t.closed_at,
      }));
      const reference = statisticsOfTrades({
        startBalance: toMinor("100000.00") + toMinor(before),
        reset,
        trades: closed,
        samples: null,
      });
      const { accountId: _a, currency: _c, reset: _r, from: _f, to: _t, maxDrawdownEquity: _e, ...figures } =
        fromDb;
      const { maxDrawdownEquity: _e2, ...expected } = reference;
      assert.deepEqual(figures, expected);
      assert.ok(expected.trades > 50 && expected.maxDrawdown!.amount !== "0.00");
    }
  } finally {
    await db.close();
  }
});
