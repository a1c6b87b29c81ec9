/** The history and statistics pages, server-rendered without script: status → content type → body. */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, islandsOf, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { seedTradingDays } from "./helpers/trading.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

/** The table's rows as [tradeId, symbol, P&L text] from the page. */
function tableRows(html: string): string[][] {
  const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
  return [...body.matchAll(/<tr[^>]*data-trade-id="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]).trim());
    return [m[1], ...cells];
  });
}

Deno.test("dashboard history and statistics pages", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    await deps.db.sql`update users set time_zone = 'Europe/Prague' where id = ${trader.userId}`;
    const start = new Date("2026-06-01T00:00:00Z");
    const { accountId } = await openTestAccount(deps.db, trader.userId, { at: start });
    await seedTradingDays(deps, accountId, { start, days: 20, perDay: 3 }); // 60 trades: two pages
    const get = (path: string, who = cookie) => c.request(path, { headers: { cookie: who } });

    await t.step("signed out: sent to sign in", async () => {
      const res = await c.request("/dashboard/history");
      assert.equal(res.status, 303);
      assert.match(res.headers.get("location")!, /^\/signin\?next=/);
    });

    let firstPage: string[][] = [];
    await t.step(
      "history: a table of the newest 50, no island but the bell, paging and CSV links",
      async () => {
        const res = await get("/dashboard/history");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.deepEqual(islandsOf(html), ["NotificationBell"]); // no script of its own
        firstPage = tableRows(html);
        assert.equal(firstPage.length, 50);
        assert.equal(firstPage[0][0], "T-1059");
        assert.match(firstPage[0].join(" "), /open Open/);
        // Times in the viewer's zone: the day's second trade opens 10:30 UTC, 12:30 in Prague summer time.
        assert.match(firstPage[1][1], /26 Jun 2026, 12:30/);
        assert.match(html, /href="\/dashboard\/history\.csv"/);
        assert.match(html, /rel="next" href="\?cursor=/);
        assert.match(html, /aria-current="page">History</);
      },
    );

    await t.step("history: the CSV has exactly the table's rows", async () => {
      const older = (await (await get("/dashboard/history")).text()).match(/rel="next" href="([^"]+)"/)![1];
      const second = tableRows(await (await get(`/dashboard/history${older.replace(/&amp;/g, "&")}`)).text());
      assert.equal(second.length, 10);
      const res = await get("/dashboard/history.csv");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
      const lines = (await res.text()).trimEnd().split("\r\n").slice(1).map((l) => l.split(","));
      const table = [...firstPage, ...second];
      assert.equal(lines.length, table.length);
      const money = (s: string) => s.replace(/[+$,]/g, "").replace("\u2212", "-");
      lines.forEach((cells, i) => {
        const row = table[i];
        assert.equal(cells[1], row[0], `row ${i} trade id`);
        assert.equal(cells[3], row[3], `row ${i} symbol`);
        assert.equal(cells[8] || "open", row[8] === "open" ? "open" : money(row[8]), `row ${i} pnl`);
      });
    });

    await t.step("history: prices with the instrument's digits, as the terminal writes them", async () => {
      // Entry and exit per symbol, as the table shows them: EURUSD on a 0.00001 grid keeps its five places
      // ("1.08000", not "1.08"); US500 (0.1 grid) was reported at 5400.25 and keeps the digit the grid lacks.
      const shown = new Map(firstPage.filter((r) => r[7] !== "—").map((r) => [r[3], [r[6], r[7]]]));
      assert.deepEqual(shown.get("EURUSD"), ["1.08000", "1.08100"]);
      assert.deepEqual(shown.get("GBPUSD"), ["1.08000", "1.08100"]);
      assert.deepEqual(shown.get("XAUUSD"), ["2350.50", "2352.10"]);
      assert.deepEqual(shown.get("US500"), ["5400.25", "5401.0"]);
      // The CSV is data, not a page: it carries the stored decimal, as the API's JSON does.
      const csv = (await (await get("/dashboard/history.csv")).text()).split("\r\n");
      const eurusd = csv.find((l) => l.includes(",EURUSD,") && !l.endsWith(",open,"))!.split(",");
      assert.equal(eurusd[6], "1.08000000");
    });

    await t.step("history: filters narrow the table and the CSV alike; bad input is inline", async () => {
      const q = `?accountId=${accountId}&symbol=XAUUSD&result=loss&from=2026-06-02&to=2026-06-10`;
      const rows = tableRows(await (await get(`/dashboard/history${q}`)).text());
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r[3] === "XAUUSD" && r[9] === "Loss"));
      const csv = (await (await get(`/dashboard/history.csv${q}`)).text()).trimEnd().split("\r\n").slice(1);
      assert.deepEqual(csv.map((l) => l.split(",")[1]), rows.map((r) => r[0]));
      const bad = await get("/dashboard/history?direction=up&from=yesterday");
      assert.equal(bad.status, 422);
      assert.equal(bad.headers.get("content-type"), HTML);
      const badHtml = await bad.text();
      const text = textOf(badHtml);
      assert.match(text, /Side must be buy or sell\./);
      // Nothing was searched: not "no trades match", and no CSV link (it would download this error page).
      assert.doesNotMatch(text, /No trades match/);
      assert.match(text, /No trades shown: fix what the form above says, or clear the filters\./);
      assert.doesNotMatch(badHtml, /history\.csv/);
      assert.match(text, /Opened from must be a date YYYY-MM-DD or an ISO-8601 time\./);
      const stale = await get("/dashboard/history?cursor=bogus");
      assert.equal(stale.status, 422);
      assert.match(textOf(await stale.text()), /This page link is no longer valid/);
    });

    await t.step("statistics: every figure, the breakdowns and the calendar of the last month", async () => {
      const res = await get("/dashboard/statistics");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.deepEqual(islandsOf(html), ["NotificationBell"]); // no script of its own
      const text = textOf(html);
      const api =
        await (await trader.client.json("GET", `/api/trading/statistics?accountId=${accountId}`, undefined, {
          bearer: trader.accessToken,
        })).json();
      for (
        const label of [
          "Net profit",
          "Win rate",
          "Gross profit",
          "Gross loss",
          "Profit factor",
          "Expectancy",
          "Long (buy)",
          "Short (sell)",
          "Average win",
          "Average loss",
          "Payoff ratio",
          "Average hold",
          "Best trade",
          "Worst trade",
          "Best day",
          "Worst day",
          "Winning days",
          "Max drawdown (balance)",
          "Max drawdown (equity)",
          "Sharpe ratio",
          "Sortino ratio",
        ]
      ) assert.ok(text.includes(label), label);
      assert.ok(text.includes(`Profit factor ${api.profitFactor}`), "profit factor as the API gives it");
      assert.ok(text.includes(`Sharpe ratio ${api.sharpe.replace("-", "\u2212")}`));
      assert.match(text, /Daily P&L · June 2026/);
      // The best and worst days in the product's one date format, as every other day label.
      assert.match(
        text,
        /Best day \+\$[\d,.]+ \d{1,2} (May|Jun) 2026 Worst day −\$[\d,.]+ \d{1,2} (May|Jun) 2026 /,
      );
      assert.equal([...html.matchAll(/data-day="2026-06-\d\d"/g)].length, 30);
      assert.match(html, /href="\/dashboard\/statistics\?accountId=[^"]+&amp;month=2026-05"/);
      assert.match(text, /By symbol Symbol Trades Net P&L EURUSD/);
      assert.match(text, /By weekday Weekday Trades Net P&L Monday/);
    });

    await t.step("statistics: another month, a bad month, and another trader's account", async () => {
      const may = textOf(
        await (await get(`/dashboard/statistics?accountId=${accountId}&month=2026-05`)).text(),
      );
      assert.match(may, /Daily P&L · May 2026 ← Previous month Next month → No closed trades this month/);
      const bad = await get(`/dashboard/statistics?month=2026-13`);
      assert.equal(bad.status, 422);
      const other = await signUp(app);
      const foreign = await get(`/dashboard/statistics?accountId=${accountId}`, cookieFor(other));
      assert.equal(foreign.status, 404);
      assert.equal(foreign.headers.get("content-type"), HTML);
      const empty = textOf(await (await get("/dashboard/statistics", cookieFor(other))).text());
      assert.match(empty, /No accounts yet/);
      const none = textOf(await (await get("/dashboard/history", cookieFor(other))).text());
      assert.match(none, /No trades yet/);
    });
  } finally {
    await close();
  }
});
