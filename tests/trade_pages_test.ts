import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, islandsOf, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { failOnDailyLoss } from "./helpers/dashboard.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

Deno.test("trading terminal page: the owner's alone, live islands, read-only with the reason once ended", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const { accountId } = await openTestAccount(deps.db, trader.userId);
    const path = `/trade/${accountId}`;

    await t.step(
      "owner: 200, HTML, the terminal's islands, every active instrument, EURUSD first",
      async () => {
        deps.prices.apply([{ symbol: "EURUSD", bid: "1.08410", ask: "1.08420", at: Date.now() }]);
        const res = await c.request(path, { headers: { cookie } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        assert.equal(res.headers.get("cache-control"), "no-store");
        const html = await res.text();
        assert.deepEqual(islandsOf(html), [
          "NotificationBell",
          "TradeAccount",
          "TradeWatchlist",
          "TradeChart",
          "TradeTicket",
          "TradeBook",
          "AccountLive_AccountMeters",
        ]);
        const text = textOf(html);
        assert.match(text, /Trade · Test plan/);
        assert.match(text, /Dashboard \/ Test plan \/ Terminal/);
        for (const symbol of ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US500", "NAS100", "BTCUSD"]) {
          assert.ok(html.includes(`data-symbol="${symbol}"`), `${symbol} listed`);
        }
        assert.match(
          html,
          /data-symbol="EURUSD" aria-pressed="true"|aria-pressed="true"[^>]*data-symbol="EURUSD"/,
        );
        // The quote known at render time is on the page before the stream opens.
        assert.match(text, /1\.08410/);
        assert.match(text, /Buy B/);
        assert.match(text, /Sell S/);
        assert.match(text, /Daily loss limit/);
        assert.doesNotMatch(text, /Read-only/);
      },
    );

    await t.step("?symbol= picks the chart's symbol; an unknown one falls back to EURUSD", async () => {
      const gold = await (await c.request(`${path}?symbol=XAUUSD`, { headers: { cookie } })).text();
      assert.match(
        gold,
        /aria-pressed="true"[^>]*data-symbol="XAUUSD"|data-symbol="XAUUSD"[^>]*aria-pressed="true"/,
      );
      const junk = await (await c.request(`${path}?symbol=%3Cscript%3E`, { headers: { cookie } })).text();
      assert.match(
        junk,
        /aria-pressed="true"[^>]*data-symbol="EURUSD"|data-symbol="EURUSD"[^>]*aria-pressed="true"/,
      );
    });

    await t.step(
      "another trader and staff get the same 404 as a missing id; signed out goes to sign in",
      async () => {
        const other = await signUp(app);
        for (
          const headers of [{ cookie: cookieFor(other) }, {
            cookie: cookieFor(await makeStaff(deps, "risk")),
          }]
        ) {
          const res = await c.request(path, { headers });
          assert.equal(res.status, 404);
          assert.equal(res.headers.get("content-type"), HTML);
          assert.doesNotMatch(await res.text(), /Trade · /);
        }
        const missing = await c.request(`/trade/${crypto.randomUUID()}`, { headers: { cookie } });
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
        const junk = await c.request("/trade/not-a-uuid", { headers: { cookie } });
        assert.equal(junk.status, 404);
        await junk.body?.cancel();
        const anonymous = await c.request(path);
        assert.equal(anonymous.status, 303);
        assert.match(anonymous.headers.get("location") ?? "", /^\/signin\?next=%2Ftrade%2F/);
      },
    );

    await t.step("the account page and the dashboard card link to the terminal", async () => {
      const page = await (await c.request(`/dashboard/accounts/${accountId}`, { headers: { cookie } }))
        .text();
      assert.match(page, new RegExp(`href="${path}"[^>]*>Trade`));
      const dashboard = await (await c.request("/dashboard", { headers: { cookie } })).text();
      assert.match(dashboard, new RegExp(`href="${path}"`));
    });

    await t.step("a connector's account: the links say Positions (its terminal is read-only)", async () => {
      const outside = await openTestAccount(deps.db, trader.userId);
      await deps.db.sql`update accounts set trade_source = 'connector' where id = ${outside.accountId}`;
      const link = new RegExp(`href="/trade/${outside.accountId}"[^>]*>\\s*Positions\\s`);
      const page =
        await (await c.request(`/dashboard/accounts/${outside.accountId}`, { headers: { cookie } }))
          .text();
      assert.match(page, link);
      const dashboard = await (await c.request("/dashboard", { headers: { cookie } })).text();
      assert.match(dashboard, link);
      // The venue's own account (no trade yet) still offers to trade.
      assert.match(dashboard, new RegExp(`href="${path}"[^>]*>\\s*Trade\\s`));
      const api = await c.request("/api/users/accounts", { headers: { cookie } });
      assert.equal(api.status, 200);
      const { accounts } = await api.json() as { accounts: { id: string; tradeSource: string | null }[] };
      assert.equal(accounts.find((a) => a.id === outside.accountId)?.tradeSource, "connector");
      assert.equal(accounts.find((a) => a.id === accountId)?.tradeSource, null);
    });

    await t.step("a failed account: read-only, says why and links to the evidence, no ticket", async () => {
      const failed = await openTestAccount(deps.db, trader.userId);
      await failOnDailyLoss(deps.db, failed.accountId, failed.planVersionId);
      const res = await c.request(`/trade/${failed.accountId}`, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /Read-only\. This account failed on .+: the daily loss limit was breached\./);
      assert.ok(html.includes(`href="/dashboard/accounts/${failed.accountId}#breach"`));
      assert.ok(!islandsOf(html).includes("TradeTicket"));
      assert.match(text, /No new orders/);
      // The account's figures are final: their strip says so; the price chart's quotes stay live.
      const strip = html.slice(html.indexOf('aria-label="Account figures"'));
      assert.match(
        strip.slice(0, strip.indexOf("</section>")),
        /data-live="ended"[^>]*>.*Ended · final figures/s,
      );
      // Neither the account page nor the card offers to trade it.
      const page = await (await c.request(`/dashboard/accounts/${failed.accountId}`, { headers: { cookie } }))
        .text();
      assert.doesNotMatch(page, new RegExp(`href="/trade/${failed.accountId}"`));
      const dashboard = await (await c.request("/dashboard", { headers: { cookie } })).text();
      assert.doesNotMatch(dashboard, new RegExp(`href="/trade/${failed.accountId}"`));
    });
  } finally {
    await close();
  }
});
