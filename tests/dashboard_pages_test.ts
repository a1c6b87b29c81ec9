import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, islandsOf, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { failOnDailyLoss } from "./helpers/dashboard.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

Deno.test("dashboard pages: the trader's accounts, objectives in their time zone, breach evidence", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    await deps.db.sql`update users set time_zone = 'America/New_York' where id = ${trader.userId}`;
    // Monday 1 June 2026, 08:00 UTC: the plan's day runs Prague midnight to midnight (22:00 UTC in summer).
    const start = new Date("2026-06-01T08:00:00Z");
    const plan = ftmo100k({ timeLimitDays: 30, bestDayMaxPercent: "50" });
    const { accountId, planVersionId } = await openTestAccount(deps.db, trader.userId, { plan, at: start });
    const path = `/dashboard/accounts/${accountId}`;

    await t.step(
      "dashboard: 200, HTML, a live card per account with its figures and nearest limit",
      async () => {
        const res = await c.request("/dashboard", { headers: { cookie } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        // One island for all cards (not one per card), and no chart library on the overview.
        // One island renders every card (plus the header's bell and the time-zone notice, which draws
        // nothing on the server): not one island per card.
        assert.deepEqual(islandsOf(html), ["NotificationBell", "ZoneNotice", "AccountCards"]);
        assert.doesNotMatch(html, /EquityChart/);
        assert.ok(html.includes(`href="${path}"`));
        const text = textOf(html);
        assert.match(text, /Test plan Phase 1: Phase Active Balance \$100,000 Equity \$100,000 Today \$0/);
        assert.match(text, /Nearest limit: daily loss ✓ Within limit \$5,000 left · 100 % of \$5,000/);
        assert.match(text, /Last trade data 1 Jun 2026, 04:00/);
        assert.match(html, /href="\/dashboard" class="[^"]*" aria-current="page">Dashboard</);
      },
    );

    await t.step("a trader with no accounts is invited to buy one", async () => {
      const newcomer = await signUp(app);
      const html = await (await c.request("/dashboard", { headers: { cookie: cookieFor(newcomer) } })).text();
      assert.match(html, /No accounts yet/);
      assert.match(html, /href="\/challenges"/);
    });

    await t.step("account page: every objective in words, times in the viewer's zone", async () => {
      const res = await c.request(path, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      for (const island of ["AccountLive", "EquityChart", "WhatIf", "AccountLive_AccountDetails"]) {
        assert.match(html, new RegExp(`<!--frsh:island:${island}:\\d+-->`), island);
      }
      const text = textOf(html);
      assert.match(text, /Profit target In progress Reach a balance of \$110,000 \(a profit of \$10,000\)/);
      assert.match(text, /Profit so far: \$0 of \$10,000/);
      // The reset is Prague midnight = 18:00 in New York (EDT); the page names the zone once.
      assert.match(
        text,
        /Daily loss limit Within limit Today your equity \(including open positions\) must stay at or above \$95,000 ?: \$5,000 below the day's starting balance \(\$100,000\)\. Now: \$100,000\. The limit resets at 1 Jun 2026, 18:00\./,
      );
      assert.match(
        text,
        /Maximum loss limit Within limit Your equity must never fall below \$90,000 ?\. Now: \$100,000\. This floor stays fixed\./,
      );
      assert.match(text, /Trade on at least 4 different days: 0 of 4 so far/);
      assert.match(text, /Your best day may make at most 50 % of your total profit\. No profit yet\./);
      assert.match(
        text,
        /Pass within 30 days ?: day \d+ of 30\. The time runs out at 1 Jul 2026, 18:00\./,
      );
      assert.match(text, /Times are shown in your time zone \(America\/New_York\)/);
    });

    await t.step("account page: the meters — room left in money and %, anchor, method, mode", async () => {
      const text = textOf(await (await c.request(path, { headers: { cookie } })).text());
      assert.match(text, /Phase 1: Phase Active/);
      assert.match(text, /Balance \$100,000 Equity \$100,000 Today's P&L \$0 Started with \$100,000/);
      assert.match(
        text,
        /Daily loss limit ✓ Within limit \$5,000 left 100 % of \$5,000 .*Floor \$95,000 · equity now \$100,000 \$5,000 below the day's starting balance: the day's starting balance was \$100,000 at today's reset\. Going below fails the account\./,
      );
      assert.match(text, /the plan resets at 00:00, Europe\/Prague time/);
      assert.match(
        text,
        /Maximum loss limit ✓ Within limit \$10,000 left 100 % of \$10,000 .*Static: this floor never moves\./,
      );
      assert.match(text, /Profit target → In progress \$10,000 to go 0 % of \$10,000/);
      assert.match(text, /Trading days → In progress 0 of 4 4 more needed/);
      assert.match(text, /Equity and balance/);
      assert.match(text, /What loss breaches me now\?/);
    });

    await t.step("failed account: the breach evidence, with the open position", async () => {
      // What the sync endpoint would persist: the engine's state after a losing open position.
      await failOnDailyLoss(deps.db, accountId, planVersionId, new Date("2026-06-01T09:00:00Z"));
      const html = await (await c.request(path, { headers: { cookie } })).text();
      const text = textOf(html);
      assert.match(text, /Failed/);
      assert.match(text, /Why this account failed/);
      assert.match(text, /Rule Daily loss limit \(fails the account\)/);
      assert.match(text, /When 1 Jun 2026, 06:30 /);
      // Day labels in the product's one format, the ISO day kept for machines in the datetime attribute.
      assert.match(text, /Trading day 1 Jun 2026 Floor/);
      assert.match(
        text,
        /A day counts when you open at least one trade in it \(trading day ?1 Jun 2026 ?\)\./,
      );
      assert.match(html, /<time datetime="2026-06-01">1 Jun 2026<\/time>/);
      assert.match(text, /Floor \$95,000 Equity observed \$94,800/);
      assert.match(text, /Anchor Balance at the daily reset: \$100,000/);
      assert.match(text, /Caused by Equity update to \$94,800 \(balance \$100,000\)/);
      assert.match(text, /T-1 XAUUSD buy 1\.00 1\.08000/);
      assert.match(
        text,
        /Daily loss limit Breached That day your equity \(including open positions\) had to stay at or above \$95,000/,
      );
      assert.match(html, /inputs hash <code>[0-9a-f]{64}<\/code>/);
      // The next step, and goals that can no longer be reached say so.
      assert.match(
        text,
        /This account failed The daily loss limit was breached on 1 Jun 2026, 06:30\./,
      );
      assert.match(html, /<a class="btn-primary" href="\/challenges">Buy a new challenge<\/a>/);
      // On the overview, an ended account's day is the day it ended on, not "today".
      const overview = textOf(await (await c.request("/dashboard", { headers: { cookie } })).text());
      assert.match(overview, /Failed Balance \$100,000 Equity \$94,800 Last day −\$5,200/);
      // …and on the account's own page too (it failed on 1 June: that loss is not today's).
      assert.match(text, /Equity \$94,800 Last day's P&L −\$5,200 Started with/);
      assert.doesNotMatch(text, /Today's P&L/);
      assert.match(text, /Daily loss limit ✕ Breached \$0 left 0 % of \$5,000/);
      assert.match(text, /Profit target ✕ Not reached/);
      assert.match(text, /Profit target Not reached Reach a balance of \$110,000/);
      assert.doesNotMatch(text, /In progress/);
      // No what-if on an account the engine no longer evaluates.
      assert.doesNotMatch(html, /frsh:island:WhatIf/);
    });

    await t.step("ended accounts (failed, passed, closed) say so instead of the live marker", async () => {
      const live = await openTestAccount(deps.db, trader.userId, { plan, at: start });
      const liveHtml =
        await (await c.request(`/dashboard/accounts/${live.accountId}`, { headers: { cookie } }))
          .text();
      assert.match(liveHtml, /data-live="connecting"/, "a live account has the live marker");
      assert.doesNotMatch(textOf(liveHtml), /Ended · final figures/);
      const ended: [string, string][] = [["failed", accountId]];
      for (const status of ["passed", "closed"]) {
        const other = await openTestAccount(deps.db, trader.userId, { plan, at: start });
        await deps.db.sql`update accounts set status = ${status} where id = ${other.accountId}`;
        ended.push([status, other.accountId]);
      }
      for (const [status, id] of ended) {
        const res = await c.request(`/dashboard/accounts/${id}`, { headers: { cookie } });
        assert.equal(res.status, 200);
        const html = await res.text();
        // Neither the status line nor the chart claims it is still judged live.
        assert.doesNotMatch(html, /data-live="(connecting|live|reconnecting)"/, status);
        assert.equal([...html.matchAll(/data-live="ended"/g)].length, 2, status);
        assert.match(textOf(html), /Ended · final figures/, status);
      }
    });

    await t.step("reinstated account: active again, the failure kept as a visible trace", async () => {
      // Failed through the live path (which records the breach), then reinstated by risk staff.
      const other = await openTestAccount(deps.db, trader.userId, { plan, at: start });
      const synced = await postSync(c, deps.config.syncSecret, {
        accountId: other.accountId,
        events: [
          sync.open("r1", "2026-06-01T09:00:00Z"),
          sync.mark("94800.00", "100000.00", "2026-06-01T10:30:00Z"),
        ],
      });
      assert.equal((await synced.json()).account.status, "failed");
      const risk = await makeStaff(deps, "risk");
      const res = await c.json("PUT", `/api/admin/accounts/${other.accountId}`, {
        action: "reinstate",
        reason: "Price feed spike confirmed by the venue",
      }, { bearer: risk.accessToken });
      assert.equal(res.status, 200);
      const page = await c.request(`/dashboard/accounts/${other.accountId}`, { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("content-type"), HTML);
      const html = await page.text();
      const text = textOf(html);
      assert.match(text, /Phase 1: Phase Active/);
      assert.doesNotMatch(text, /Why this account failed/);
      assert.match(html, /<details id="reinstated"/);
      assert.match(text, /This account failed on 1 Jun 2026, 06:30 and was reinstated by staff/);
      assert.match(text, /Floor \$95,000 Equity observed \$94,800/);
    });
  } finally {
    await close();
  }
});
