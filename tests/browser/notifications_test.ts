/**
 * In Chromium, signed in as a trader: the notification page holds two islands on the user stream yet the tab
 * opens exactly one EventSource to /api/users/stream; a breach synced through demo-sync counts the bell up
 * and shows the notification without a reload. Screenshots of the list and the mail settings at 390 and
 * 1440 px go to tests/artifacts/, and axe checks each.
 */
import assert from "node:assert/strict";
import type { Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  axeViolations,
  fromAddress,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { client, randomIp, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { postSync, sync } from "../helpers/sync.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

/** Screenshots at both widths, nothing wider than the viewport, and axe finds no violation at either. */
async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(
      await axeViolations(page),
      [],
      `${name} at ${width} px`,
    );
    await page.screenshot({
      path: new URL(`notifications-${name}-${width}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

Deno.test({
  name: "browser: one EventSource per tab for two islands; the bell counts up when a breach is synced",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    const browser = await launchBrowser();
    try {
      const trader = await signUp(app);
      const start = new Date(Date.now() - 60_000);
      const { accountId } = await openTestAccount(deps.db, trader.userId, { at: start });
      await withServer(serve, async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies(sessionCookiesFor(trader, origin));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        const streams: string[] = [];
        page.on("request", (r) => r.url().includes("/api/users/stream") && streams.push(r.url()));
        // Counts EventSources the page constructs, whatever they point at.
        await page.addInitScript(() => {
          const Original = EventSource;
          const w = window as unknown as { eventSources: string[] };
          w.eventSources = [];
          globalThis.EventSource = class extends Original {
            constructor(url: string | URL, init?: EventSourceInit) {
              super(url, init);
              w.eventSources.push(String(url));
            }
          };
        });

        await t.step("two islands (bell and live feed), one EventSource, live", async () => {
          await page.goto(`${origin}/dashboard/notifications`);
          assert.equal(await page.locator("[data-unread]").count(), 1);
          await page.waitForSelector('[data-connection="live"]');
          assert.equal(await page.getAttribute("[data-unread]", "aria-label"), "Notifications, none unread");
          await page.waitForTimeout(300);
          assert.deepEqual(
            await page.evaluate(() => (window as unknown as { eventSources: string[] }).eventSources),
            [
              "/api/users/stream",
            ],
          );
          assert.equal(streams.length, 1, `requests: ${streams.join(", ")}`);
          await photograph(page, "empty");
        });

        await t.step(
          "a breach synced → the bell counts up and the notification shows, no reload",
          async () => {
            await page.evaluate(() => (window as unknown as { marker: number }).marker = 42);
            const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
            const bell = (label: string) =>
              page.waitForFunction(
                (want) => document.querySelector("[data-unread]")?.getAttribute("aria-label") === want,
                label,
                { timeout: 10_000 },
              );
            const post = async (equity: string, ms: number) => {
              const res = await postSync(client(app), deps.config.syncSecret, {
                accountId,
                events: [sync.mark(equity, "100000.00", at(ms))],
              });
              assert.equal(res.status, 200, await res.clone().text());
              return (await res.json()).account.status;
            };
            assert.equal(await post("97400.00", 1000), "active"); // 52 % of the daily loss limit
            await bell("Notifications, 1 unread");
            assert.equal(await post("94000.00", 2000), "failed"); // below the daily floor
            await bell("Notifications, 2 unread");
            assert.equal(await page.textContent("[data-unread]"), "2");
            const arrived = page.locator('[aria-label="New notifications"] li');
            await arrived.first().waitFor();
            assert.equal(await arrived.count(), 2);
            assert.match(await arrived.first().textContent() ?? "", /failed: daily loss limit breached/);
            assert.equal(
              await page.evaluate(() => (window as unknown as { marker: number }).marker),
              42,
              "no reload",
            );
            assert.equal(streams.length, 1, "still one stream");
            await photograph(page, "live");
          },
        );

        await t.step("after a reload: the list, mark all read, the settings page", async () => {
          await page.reload();
          await page.waitForSelector('[data-connection="live"]');
          assert.equal(await page.locator("li[data-read=false]").count(), 2);
          await photograph(page, "list");
          await page.click("text=Mark all read");
          await page.waitForURL(/marked=all/);
          assert.equal(await page.getAttribute("[data-unread]", "aria-label"), "Notifications, none unread");
          await page.goto(`${origin}/account/notifications`);
          await photograph(page, "settings");
          await page.uncheck("#email_daily_loss_warning");
          await page.click("text=Save settings");
          await page.waitForURL(/saved/);
          assert.equal(await page.isChecked("#email_daily_loss_warning"), false);
          assert.equal(await page.isChecked("#email_breach"), true);
        });
        assert.deepEqual(errors, []);
        await context.close();
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
