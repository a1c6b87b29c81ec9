import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { failOnDailyLoss } from "./helpers/dashboard.ts";

const HTML = "text/html; charset=utf-8";

function cookieFor(tokens: { accessToken: string; refreshToken: string }): string {
  return sessionCookies(false, tokens).map((c) => c.split(";")[0]).join("; ");
}

function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&").replace(
    /\s+/g,
    " ",
  );
}

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

    await t.step("dashboard: 200, HTML, no script, the account listed with its figures", async () => {
      const res = await c.request("/dashboard", { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.doesNotMatch(html, /<script/i);
      assert.ok(html.includes(`href="${path}"`));
      assert.match(textOf(html), /Test plan Phase 1: Phase Active \$100,000 \$100,000/);
      assert.match(html, /href="\/dashboard" class="[^"]*" aria-current="page">Dashboard</);
    });

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
      assert.doesNotMatch(html, /<script/i);
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

    await t.step("failed account: the breach evidence, with the open position", async () => {
      // What the sync endpoint would persist: the engine's state after a losing open position.
      await failOnDailyLoss(deps.db, accountId, planVersionId, new Date("2026-06-01T09:00:00Z"));
      const html = await (await c.request(path, { headers: { cookie } })).text();
      const text = textOf(html);
      assert.match(text, /Failed/);
      assert.match(text, /Why this account failed/);
      assert.match(text, /Rule Daily loss limit \(fails the account\)/);
      assert.match(text, /When 1 Jun 2026, 06:30 /);
      assert.match(text, /Floor \$95,000 Equity observed \$94,800/);
      assert.match(text, /Anchor Balance at the daily reset: \$100,000/);
      assert.match(text, /Caused by Equity update to \$94,800 \(balance \$100,000\)/);
      assert.match(text, /T-1 XAUUSD buy 1\.00 1\.08000/);
      assert.match(
        text,
        /Daily loss limit Breached That day your equity \(including open positions\) had to stay at or above \$95,000/,
      );
      assert.match(html, /inputs hash <code>[0-9a-f]{64}<\/code>/);
    });
  } finally {
    await close();
  }
});
