/**
 * The live dashboard in Chromium: an open account page follows signed sync events without a reload (the
 * figures, the meters and the chart move; a breach turns the page failed with its evidence), the overview
 * card follows too, and both pages are photographed at 390 and 1440 px with data.
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
import { client, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { postSync, sync } from "../helpers/sync.ts";
import { ftmo100k, PRAGUE_MIDNIGHT } from "../../services/engine/testing.ts";
import { tradingDay } from "../../services/engine/trading_day.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150); // the chart resizes on the next frame
    await page.screenshot({
      path: new URL(`dashboard-${name}-${width}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

Deno.test({
  name:
    "browser: the account page and the dashboard follow sync events live; a breach fails the page at once",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const c = client(app);
    const trader = await signUp(app);
    // History in the previous trading day (Prague midnight resets), live events in the current one, so
    // today's anchor is the balance the history left: 100,800, whatever the time of the run.
    const opens = tradingDay(Date.now(), PRAGUE_MIDNIGHT).opensAt;
    const started = opens - 4 * 3_600_000;
    const { accountId } = await openTestAccount(deps.db, trader.userId, {
      plan: ftmo100k({ bestDayMaxPercent: "50" }),
      at: new Date(started),
    });
    const before = (min: number) => new Date(opens - min * 60_000).toISOString();
    const now = () => new Date().toISOString();
    // Some history before the page opens: a winning trade closed, so balance, P&L and the chart have a shape.
    const first = await postSync(c, deps.config.syncSecret, {
      accountId,
      events: [
        sync.open("h1", before(150)),
        sync.mark("100600.00", "100000.00", before(120)),
        sync.close("h1", "800.00", before(90)),
      ],
    });
    assert.equal(first.status, 200);
    const browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: origin });
        await context.addCookies(sessionCookiesFor(trader, origin));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        const points = async () => Number(await page.getAttribute("[data-points]", "data-points"));

        await t.step("the account page opens live with the engine's figures", async () => {
          await page.goto(`/dashboard/accounts/${accountId}`);
          await page.waitForSelector('[data-live="live"]');
          assert.equal(await text(page, "#fig-balance"), "$100,800");
          assert.match(await text(page, "#meter-daily"), /Within limit/);
        });

        await t.step("sync events move the figures, the meters and the chart without a reload", async () => {
          await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
          const before = await points();
          const res = await postSync(c, deps.config.syncSecret, {
            accountId,
            events: [sync.open("t1", now()), sync.mark("98300.00", "100800.00", now())],
          });
          assert.equal(res.status, 200);
          await page.waitForFunction(() => document.querySelector("#fig-equity")?.textContent === "$98,300");
          // The meters are the engine's: floor 95,800 (5,000 below the day's starting balance of 100,800).
          await page.waitForFunction(() =>
            document.querySelector("#meter-daily [data-figure=left]")?.textContent === "$2,500 left"
          );
          assert.match(await text(page, "#meter-daily"), /Over half used/);
          assert.match(await text(page, "#meter-daily"), /Floor \$95,800/);
          assert.equal(await text(page, "#meter-max [data-figure=left]"), "$8,300 left");
          assert.equal(await text(page, "#fig-today"), "\u2212$2,500");
          await page.waitForFunction(
            (n) => Number(document.querySelector("[data-points]")?.getAttribute("data-points")) > n,
            before,
          );
          // Still the same document: nothing reloaded.
          assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1);
        });

        await t.step("what-if: the engine names the loss that breaches now", async () => {
          await page.click("text=What loss breaches me now?");
          await page.waitForSelector("#whatif-loss b");
          assert.match(
            await text(page, "#whatif-loss"),
            /A further loss of \$2,500\.01 \(equity \$95,799\.99\) breaches the daily loss limit/,
          );
        });

        await photograph(page, "account-active");

        await t.step(
          "a breach turns the page failed at once, with the evidence and the next step",
          async () => {
            const res = await postSync(c, deps.config.syncSecret, {
              accountId,
              events: [sync.mark("95500.00", "100800.00", now())],
            });
            assert.equal((await res.json()).account.status, "failed");
            await page.waitForSelector('[data-account-status="failed"]');
            assert.match(await text(page, "[data-status]"), /Failed/);
            assert.match(await page.innerText("main"), /This account failed/);
            await page.waitForSelector("#breach");
            assert.match(await text(page, "#breach"), /Floor\s+\$95,800\s+Equity observed\s+\$95,500/);
            assert.ok(await page.isVisible('a[href="/challenges"]:has-text("Buy a new challenge")'));
            await page.waitForFunction(() => document.body.innerText.includes("Not reached"));
            assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 1);
          },
        );

        await photograph(page, "account-failed");

        await t.step("the dashboard card follows the account live", async () => {
          const second = await openTestAccount(deps.db, trader.userId, { at: new Date(started) });
          await page.goto("/dashboard");
          await page.waitForSelector('[data-live="live"]');
          const card = `[data-account="${second.accountId}"]`;
          assert.equal(await text(page, `${card} [data-figure=equity]`), "$100,000");
          await postSync(c, deps.config.syncSecret, {
            accountId: second.accountId,
            events: [sync.open("c1", now()), sync.mark("99000.00", "100000.00", now())],
          });
          await page.waitForFunction(
            (sel) => document.querySelector(sel)?.textContent === "$99,000",
            `${card} [data-figure=equity]`,
          );
          await page.waitForFunction(
            (sel) => document.querySelector(sel)?.textContent?.startsWith("$4,000 left"),
            `${card} [data-figure=nearest-left]`,
          );
          assert.match(await text(page, `[data-account="${accountId}"]`), /Failed/);
          await photograph(page, "overview");
        });
        assert.deepEqual(errors, []);
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
