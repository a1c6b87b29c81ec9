/** `GET /api/trading/history`, `GET /api/trading/statistics`, `GET /api/accounts/:id/equity` end to end. */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { seedTradingDays } from "./helpers/trading.ts";

const JSON_TYPE = "application/json";

Deno.test("trading API: history pages and CSV, statistics, equity; scoped to the caller", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const other = await signUp(app);
    const start = new Date("2026-06-01T00:00:00Z");
    const { accountId } = await openTestAccount(deps.db, trader.userId, { at: start });
    await seedTradingDays(deps, accountId, { start, days: 4, perDay: 3 });
    const get = (path: string, who = trader, headers: Record<string, string> = {}) =>
      who.client.json("GET", path, undefined, { bearer: who.accessToken, headers });

    await t.step("history: JSON pages newest first, then the rest through nextCursor", async () => {
      const res = await get("/api/trading/history?limit=5");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const page = await res.json();
      assert.equal(page.items.length, 5);
      assert.equal(page.items[0].tradeId, "T-1011");
      assert.equal(page.items[0].status, "open");
      assert.equal(page.items[0].pnl, null);
      assert.ok(page.nextCursor);
      const rest = await (await get(`/api/trading/history?limit=200&cursor=${page.nextCursor}`)).json();
      assert.equal(rest.items.length, 7);
      assert.equal(rest.nextCursor, null);
      const wins = await (await get(`/api/trading/history?accountId=${accountId}&result=win&symbol=EURUSD`))
        .json();
      assert.ok(
        wins.items.every((i: { pnl: string; symbol: string }) => +i.pnl > 0 && i.symbol === "EURUSD"),
      );
      assert.ok(wins.items.length > 0);
    });

    await t.step("history: CSV by format or Accept", async () => {
      const res = await get("/api/trading/history?format=csv");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
      const lines = (await res.text()).trimEnd().split("\r\n");
      assert.equal(lines.length, 13);
      const accepted = await get("/api/trading/history", trader, { accept: "text/csv" });
      assert.equal(accepted.headers.get("content-type"), "text/csv; charset=utf-8");
      await accepted.body?.cancel();
    });

    await t.step("history: bad filters are 422 with the field named", async () => {
      const res = await get("/api/trading/history?direction=up&limit=500&cursor=zzz");
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const { error } = await res.json();
      assert.ok(error.fields.direction && error.fields.limit, JSON.stringify(error));
      const bad = await get("/api/trading/history?cursor=zzz");
      assert.equal(bad.status, 422);
      assert.ok((await bad.json()).error.fields.cursor);
      // Days that have the shape but are not on the calendar: refused, not read as 2 March or thrown on.
      for (const [field, day] of [["from", "2026-02-30"], ["to", "2026-13-45"]]) {
        const res = await get(`/api/trading/history?${field}=${day}`);
        assert.equal(res.status, 422, `${field}=${day}`);
        assert.ok((await res.json()).error.fields[field], `${field}=${day} names the field`);
      }
    });

    await t.step("statistics: the §3.1 figures of the account", async () => {
      const res = await get(`/api/trading/statistics?accountId=${accountId}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const s = await res.json();
      assert.equal(s.trades, 11);
      assert.equal(s.dailyPnl.length, 4);
      // The figures add up: net = gross profit − gross loss = Σ daily P&L.
      const cents = (v: string) => Math.round(Number(v) * 100);
      assert.equal(cents(s.netProfit), cents(s.grossProfit) - cents(s.grossLoss));
      assert.equal(
        cents(s.netProfit),
        s.dailyPnl.reduce((a: number, d: { pnl: string }) => a + cents(d.pnl), 0),
      );
      assert.match(s.winRate, /^\d\.\d{4}$/);
      assert.match(s.sharpe, /^-?\d+\.\d{4}$/);
      assert.ok(s.maxDrawdownEquity);
      const ranged = await (await get(
        `/api/trading/statistics?accountId=${accountId}&from=2026-06-02&to=2026-06-02`,
      )).json();
      assert.equal(ranged.trades, 3);
      assert.equal(ranged.from, "2026-06-02T00:00:00.000Z");
      assert.equal(ranged.to, "2026-06-03T00:00:00.000Z");
    });

    await t.step("equity: points ascending, ending at the live value", async () => {
      const res = await get(`/api/accounts/${accountId}/equity?to=2026-06-06T00:00:00Z`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const body = await res.json();
      assert.equal(body.resolution, "15m");
      assert.equal(body.currency, "USD");
      const times = body.points.map((p: { time: string }) => p.time);
      assert.deepEqual(times, times.toSorted());
      const [account] = await deps.db.sql`select equity::text from accounts where id = ${accountId}`;
      assert.equal(body.points.at(-1).equity, account.equity);
      assert.equal(body.points[0].dailyFloor, "95000.00");
    });

    await t.step("another trader: 404 everywhere; staff may read", async () => {
      for (
        const path of [
          `/api/trading/history?accountId=${accountId}`,
          `/api/trading/statistics?accountId=${accountId}`,
          `/api/accounts/${accountId}/equity`,
        ]
      ) {
        const res = await get(path, other);
        assert.equal(res.status, 404, path);
        assert.equal(res.headers.get("content-type"), JSON_TYPE);
        assert.equal((await res.json()).error.code, "not_found");
      }
      const own = await (await get("/api/trading/history", other)).json();
      assert.deepEqual(own, { items: [], nextCursor: null, prevCursor: null });
      const risk = await makeStaff(deps, "risk");
      const res = await get(`/api/trading/statistics?accountId=${accountId}`, {
        ...risk,
        client: trader.client,
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).trades, 11);
    });
  } finally {
    await close();
  }
});
