/**
 * The risk monitor in Chromium: open as risk staff, a signed sync brings one account near its floor and its
 * row moves to the top without a reload; a breach appears in the feed (and the account leaves the table), and
 * so does a staff pause, with who took it.
 * The monitor and the staff account page are photographed at 390 and 1440 px with data.
 */
import assert from "node:assert/strict";
import type { Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { client, makeStaff, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { postSync, sync } from "../helpers/sync.ts";
import { pauseAccount } from "../../services/accounts/admin.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({
      path: new URL(`admin-${name}-${width}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** The account ids of the table's rows, top first. */
const order = (page: Page) =>
  page.$$eval("[data-monitor-table] tbody tr", (rows) => rows.map((r) => r.getAttribute("data-row")));

Deno.test({
  name: "browser: the risk monitor moves a row to the top after a sync and shows the breach, live",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const c = client(app);
    const trader = await signUp(app);
    const risk = await makeStaff(deps, "risk");
    const calm = await openTestAccount(deps.db, trader.userId);
    const mover = await openTestAccount(deps.db, trader.userId);
    const third = await openTestAccount(deps.db, trader.userId);
    const actor = { userId: risk.userId, ip: null, userAgent: null };
    const now = () => new Date().toISOString();
    const send = async (accountId: string, equity: string) => {
      const res = await postSync(c, deps.config.syncSecret, {
        accountId,
        events: [sync.mark(equity, "100000.00", now())],
      });
      assert.equal(res.status, 200);
      return await res.json();
    };
    // Floors 95,000 (daily) / 90,000 (max): calm at 3 %, the third at 4 %, the mover untouched at 5 %.
    await postSync(c, deps.config.syncSecret, {
      accountId: calm.accountId,
      events: [sync.open("c1", now())],
    });
    await send(calm.accountId, "98000.00");
    await send(third.accountId, "99000.00");
    const browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: origin });
        await context.addCookies(sessionCookiesFor(risk, origin));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));

        await t.step("the monitor opens sorted and goes live", async () => {
          await page.goto(`/admin/accounts?email=${encodeURIComponent(trader.email)}`);
          assert.deepEqual(await order(page), [calm.accountId, third.accountId, mover.accountId]);
          await page.waitForSelector('[data-live="live"]');
          await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
        });

        await t.step("a sync brings the mover near its floor: its row moves to the top", async () => {
          await send(mover.accountId, "95600.00");
          await page.waitForFunction(
            (id) => document.querySelector("[data-monitor-table] tbody tr")?.getAttribute("data-row") === id,
            mover.accountId,
            { timeout: 5000 },
          );
          assert.deepEqual(await order(page), [mover.accountId, calm.accountId, third.accountId]);
          const row = `[data-row="${mover.accountId}"]`;
          assert.match(await page.innerText(`${row} [data-figure=distance]`), /0\.6\u00a0%/);
          assert.match(await page.innerText(`${row} [data-figure=distance]`), /Close to the floor/);
          assert.equal(await page.innerText(`${row} [data-figure=today]`), "\u2212$4,400");
          assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1);
        });

        await photograph(page, "monitor");

        await t.step("a breach appears in the feed and the failed account leaves the table", async () => {
          const answer = await send(mover.accountId, "94500.00");
          assert.equal(answer.account.status, "failed");
          await page.waitForSelector(`[data-feed] [data-breach="${mover.accountId}"]`, { timeout: 5000 });
          assert.match(await page.innerText(`[data-breach="${mover.accountId}"]`), /Daily loss breach/);
          await page.waitForFunction(
            (id) => !document.querySelector(`[data-monitor-table] [data-row="${id}"]`),
            mover.accountId,
          );
          assert.deepEqual(await order(page), [calm.accountId, third.accountId]);
          assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1);
        });

        await t.step("a staff pause appears in the feed live, with who took it", async () => {
          await pauseAccount(deps, actor, third.accountId, "Suspicious copy trading across accounts");
          const item = `[data-feed] [data-staff-action="paused"][data-account="${third.accountId}"]`;
          await page.waitForSelector(item, { timeout: 5000 });
          const text = await page.innerText(item);
          assert.match(text, /Paused by staff/);
          assert.ok(text.includes(risk.email), text);
          assert.match(
            await page.innerText(`[data-row="${third.accountId}"]`),
            /Paused/,
            "its row says so too",
          );
          assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1);
        });

        await t.step("the evidence link opens the staff account page with the breach", async () => {
          await page.click(`[data-breach="${mover.accountId}"] a`);
          await page.waitForURL(`**/admin/accounts/${mover.accountId}#breach`);
          assert.match(await page.innerText("#breach"), /Why this account failed/);
          assert.ok(await page.isVisible('[data-action="reinstate"]'));
        });

        await photograph(page, "account");

        await t.step("the staff page follows the account live", async () => {
          await page.goto(`/admin/accounts/${calm.accountId}`);
          await page.waitForSelector('[data-live="live"]');
          await send(calm.accountId, "97000.00");
          await page.waitForFunction(() => document.querySelector("#fig-equity")?.textContent === "$97,000");
        });
        assert.deepEqual(errors, []);
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
