/**
 * The dashboard's time-zone notice in Chromium: sign-up cannot run JavaScript, so every new profile starts in
 * UTC; a trader whose browser is elsewhere is offered their browser's zone on the dashboard. "Use …" saves it
 * through the profile API and reloads; "Keep UTC" hides the notice in this browser for good; a browser in the
 * profile's zone sees nothing. Photographed at 390 and 1440 px under /tmp/fix-zone/.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  axeViolations,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { signUp } from "../helpers/client.ts";

const SHOTS = "/tmp/fix-zone";
const NOTICE = "[data-zone-notice]";

async function photograph(page: Page, name: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `${SHOTS}/${name}-${colorScheme}-${width}.png`, fullPage: true });
      await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** The dashboard once its islands have hydrated (the notice is drawn only in the browser). */
async function openDashboard(page: Page) {
  await page.goto("/dashboard");
  await page.waitForSelector("[data-zone-checked]", { state: "attached" });
}

Deno.test({
  name: "browser: the dashboard offers the browser's time zone to a profile still in UTC",
  ignore: noBrowser,
  async fn(t) {
    await Deno.mkdir(SHOTS, { recursive: true });
    const { app, deps, close } = await openTestApp();
    const zoneOf = async (userId: string) =>
      (await deps.db.sql<{ time_zone: string }[]>`select time_zone from users where id = ${userId}`)[0]
        .time_zone;
    const browser: Browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        const contextFor = async (
          tokens: { accessToken: string; refreshToken: string },
          timezoneId: string,
        ) => {
          const context = await browser.newContext({
            viewport: { width: 1440, height: 900 },
            baseURL: origin,
            timezoneId,
          });
          await context.addCookies(sessionCookiesFor(tokens, origin));
          return context;
        };

        await t.step(
          "Tokyo sees the notice; 'Use Asia/Tokyo' saves the zone and the notice is gone",
          async () => {
            const trader = await signUp(app);
            assert.equal(await zoneOf(trader.userId), "UTC");
            const context = await contextFor(trader, "Asia/Tokyo");
            const page = await context.newPage();
            const errors: string[] = [];
            page.on("pageerror", (e) => errors.push(e.message));
            await openDashboard(page);
            const notice = page.locator(NOTICE);
            await notice.waitFor();
            assert.equal(await notice.getAttribute("role"), "status");
            assert.match(
              await notice.innerText(),
              /Times are shown in UTC\. Your browser is in Asia\/Tokyo\./,
            );
            assert.deepEqual(await axeViolations(page), []);
            await photograph(page, "dashboard-zone-notice");

            await Promise.all([
              page.waitForEvent("load"),
              page.getByRole("button", { name: "Use Asia/Tokyo" }).click(),
            ]);
            await page.waitForSelector("[data-zone-checked]", { state: "attached" });
            assert.equal(await zoneOf(trader.userId), "Asia/Tokyo");
            assert.equal(await page.locator(NOTICE).count(), 0);
            assert.match(await page.innerText("main"), /Times are in Asia\/Tokyo \(UTC\+9\)/);
            await page.goto("/account/security");
            assert.equal(await page.inputValue("select[name=timeZone]"), "Asia/Tokyo");
            assert.deepEqual(errors, []);
            await context.close();
          },
        );

        await t.step("a refused save says why inline and keeps the notice, saving nothing", async () => {
          const trader = await signUp(app);
          const context = await contextFor(trader, "Asia/Tokyo");
          const page = await context.newPage();
          // The server's Intl could know fewer zones than the browser's: its 422 is what the trader sees.
          await page.route("**/api/users/profile", (route) =>
            route.fulfill({
              status: 422,
              contentType: "application/json",
              body: JSON.stringify({
                error: {
                  code: "validation",
                  message: "Invalid fields.",
                  fields: { timeZone: "must be an IANA time zone, e.g. Europe/Prague" },
                },
              }),
            }));
          await openDashboard(page);
          await page.getByRole("button", { name: "Use Asia/Tokyo" }).click();
          await page.waitForFunction(
            (sel) => /could not be saved/.test(document.querySelector(sel)?.textContent ?? ""),
            NOTICE,
          );
          assert.match(
            await page.locator(NOTICE).innerText(),
            /Asia\/Tokyo could not be saved: it must be an IANA time zone, e\.g\. Europe\/Prague\./,
          );
          assert.ok(await page.getByRole("button", { name: "Use Asia/Tokyo" }).isEnabled());
          assert.equal(await zoneOf(trader.userId), "UTC");
          await context.close();
        });

        await t.step("a browser in UTC sees no notice", async () => {
          const trader = await signUp(app);
          const context = await contextFor(trader, "UTC");
          const page = await context.newPage();
          await openDashboard(page);
          assert.equal(await page.locator(NOTICE).count(), 0);
          await context.close();
        });

        await t.step("'Keep UTC' hides the notice across reloads and saves nothing", async () => {
          const trader = await signUp(app);
          const context = await contextFor(trader, "Asia/Tokyo");
          const page = await context.newPage();
          await openDashboard(page);
          await page.getByRole("button", { name: "Keep UTC" }).click();
          await page.locator(NOTICE).waitFor({ state: "detached" });
          await page.reload();
          await page.waitForSelector("[data-zone-checked]", { state: "attached" });
          assert.equal(await page.locator(NOTICE).count(), 0);
          assert.equal(await zoneOf(trader.userId), "UTC");
          await context.close();
        });
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
