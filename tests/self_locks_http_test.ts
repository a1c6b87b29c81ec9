/**
 * Self-locks over HTTP: GET/PUT /api/accounts/:id/locks (owner only, validated), the settings page via
 * app.request (status → content type → body) with inline form errors, and the signed demo-sync answer
 * carrying `trading.allowed=false` with the reason while a lock holds.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json";

Deno.test("self-locks API and page: owner only, validated, pending loosening shown, demo-sync refuses", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const owner = await signUp(app);
    const other = await signUp(app);
    await deps.db.sql`update users set time_zone = 'Europe/London' where id = ${owner.userId}`;
    // Accounts start now: demo-sync judges `at` against the real clock.
    const { accountId } = await openTestAccount(deps.db, owner.userId, { plan: ftmo100k() });
    const api = `/api/accounts/${accountId}/locks`;
    const pagePath = `/dashboard/accounts/${accountId}/locks`;
    const cookie = cookieFor(owner);

    await t.step("GET as owner: everything off, trading allowed", async () => {
      const res = await c.json("GET", api, undefined, { bearer: owner.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const body = await res.json();
      assert.deepEqual(body.settings, {
        dailyLossLimit: null,
        maxTradesPerDay: null,
        cooldownLosses: null,
        cooldownMinutes: null,
      });
      assert.equal(body.pending, null);
      assert.deepEqual(body.trading, { allowed: true, code: null, reason: null, until: null });
      assert.equal(body.tradingDay.timeZone, "Europe/Prague");
    });

    await t.step("another trader and staff get 404, and nothing changes", async () => {
      for (const who of [other, await makeStaff(deps, "admin")]) {
        const get = await c.json("GET", api, undefined, { bearer: who.accessToken });
        assert.equal(get.status, 404);
        assert.match(await get.text(), /"code":"not_found"/);
        const put = await c.json("PUT", api, {
          dailyLossLimit: null,
          maxTradesPerDay: 1,
          cooldownLosses: null,
          cooldownMinutes: null,
        }, { bearer: who.accessToken });
        assert.equal(put.status, 404);
        await put.body?.cancel();
      }
      const rows = await deps.db.sql`select 1 from account_self_locks where account_id = ${accountId}`;
      assert.equal(rows.length, 0);
    });

    await t.step("PUT with bad values: 422 naming each field", async () => {
      const res = await c.json("PUT", api, {
        dailyLossLimit: "-1",
        maxTradesPerDay: 0,
        cooldownLosses: 3,
        cooldownMinutes: null,
      }, { bearer: owner.accessToken });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const { error } = await res.json();
      assert.deepEqual(Object.keys(error.fields).toSorted(), [
        "cooldownMinutes",
        "dailyLossLimit",
        "maxTradesPerDay",
      ]);
    });

    await t.step(
      "PUT tightens at once; demo-sync then answers trading.allowed=false with the reason",
      async () => {
        const res = await c.json("PUT", api, {
          dailyLossLimit: "750",
          maxTradesPerDay: 1,
          cooldownLosses: null,
          cooldownMinutes: null,
        }, { bearer: owner.accessToken });
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.equal(body.settings.dailyLossLimit, "750.00");
        assert.equal(body.settings.maxTradesPerDay, 1);
        assert.equal(body.pending, null);

        const now = new Date().toISOString();
        const synced = await postSync(c, deps.config.syncSecret, {
          accountId,
          events: [sync.open("t1", now)],
        });
        assert.equal(synced.status, 200);
        const answer = await synced.json();
        assert.equal(answer.trading.allowed, false);
        assert.equal(answer.trading.reason, "self_locked");
        assert.match(answer.trading.message, /opened 1 of your 1 trades/);
        assert.equal(answer.trading.closeAll, false);
        assert.ok(Date.parse(answer.trading.until) > Date.now(), "until the next reset");

        const after = await (await c.json("GET", api, undefined, { bearer: owner.accessToken })).json();
        assert.equal(after.trading.allowed, false);
        assert.equal(after.locks[0].kind, "max_trades");
        assert.equal(after.trading.until, answer.trading.until);
      },
    );

    await t.step("PUT loosening: pending until the next reset, with its instant", async () => {
      const res = await c.json("PUT", api, {
        dailyLossLimit: null,
        maxTradesPerDay: 5,
        cooldownLosses: null,
        cooldownMinutes: null,
      }, { bearer: owner.accessToken });
      const body = await res.json();
      assert.equal(body.settings.maxTradesPerDay, 1);
      assert.deepEqual(body.pending.values, { dailyLossLimit: null, maxTradesPerDay: 5 });
      assert.equal(body.pending.appliesAt, body.tradingDay.closesAt);
      assert.equal(body.trading.allowed, false, "still locked");
    });

    await t.step("page: 200, HTML, current values, pending loosening and the lock with its end", async () => {
      const res = await c.request(pagePath, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /Self-locks/);
      assert.match(text, /✕ Locked/);
      assert.match(text, /You have opened 1 of your 1 trades for today/);
      // The fields show what was asked for last; the value in force is said beside it.
      assert.match(html, /name="maxTradesPerDay"[^>]*value="5"|value="5"[^>]*name="maxTradesPerDay"/);
      assert.match(text, /Now 1; 5 from the reset, \d+ \w+ 20\d\d, \d\d:\d\d ?\./);
      assert.match(text, /Now \$750\.00; off from the reset/);
      assert.match(text, /Times are in .*London/);
      assert.match(text, /Trading day \d{1,2} [A-Z][a-z]{2} 20\d\d ?; next reset/);
      const link = await (await c.request(`/dashboard/accounts/${accountId}`, { headers: { cookie } }))
        .text();
      assert.ok(link.includes(`href="${pagePath}"`), "the account page links to its self-locks");
    });

    const form = (fields: Record<string, string>, as = cookie) =>
      c.request(pagePath, {
        method: "POST",
        headers: {
          cookie: as,
          "sec-fetch-site": "same-origin",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      });

    await t.step("form: saving the fields as shown keeps the pending loosening", async () => {
      const res = await form({
        dailyLossLimit: "",
        maxTradesPerDay: "5",
        cooldownLosses: "",
        cooldownMinutes: "",
      });
      assert.equal(res.status, 303);
      const body = await (await c.json("GET", api, undefined, { bearer: owner.accessToken })).json();
      assert.equal(body.settings.maxTradesPerDay, 1);
      assert.deepEqual(body.pending.values, { dailyLossLimit: null, maxTradesPerDay: 5 });
    });

    await t.step("form: bad input comes back inline with what was typed (422), nothing saved", async () => {
      const res = await form({ dailyLossLimit: "lots", maxTradesPerDay: "1", cooldownLosses: "3" });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /Nothing was saved/);
      assert.match(text, /Daily loss limit must be an amount such as 500 or 250\.50 \(lots is not\)/);
      assert.match(text, /Cooldown in minutes is needed for a cooldown \(set both, or neither\)/);
      assert.match(html, /value="lots"/);
      assert.match(html, /aria-invalid="true"/);
      const [row] = await deps.db
        .sql`select cooldown_losses from account_self_locks where account_id = ${accountId}`;
      assert.equal(row.cooldown_losses, null);
    });

    await t.step("form: a valid post saves (303) and the page says so", async () => {
      const res = await form({
        dailyLossLimit: "1,000",
        maxTradesPerDay: "1",
        cooldownLosses: "3",
        cooldownMinutes: "45",
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `${pagePath}?saved`);
      const [row] = await deps.db.sql`
        select daily_loss_limit, cooldown_losses, cooldown_minutes, pending from account_self_locks
        where account_id = ${accountId}`;
      // The cooldown is new: it tightens at once. 1,000 is looser than 750: it waits. Asking for 1 trade,
      // the value in force, cancels the pending 5.
      assert.equal(row.cooldown_losses, 3);
      assert.equal(row.cooldown_minutes, 45);
      assert.equal(row.daily_loss_limit, "750.00");
      assert.deepEqual(row.pending, { dailyLossLimit: "1000.00" });
      const html = await (await c.request(`${pagePath}?saved`, { headers: { cookie } })).text();
      assert.match(html, /Your self-locks have been saved/);
    });

    await t.step("form as another trader: the 404 page, nothing saved", async () => {
      const res = await form({ maxTradesPerDay: "1" }, cookieFor(other));
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      await res.body?.cancel();
      const page = await c.request(pagePath, { headers: { cookie: cookieFor(other) } });
      assert.equal(page.status, 404);
      await page.body?.cancel();
    });
  } finally {
    await close();
  }
});
