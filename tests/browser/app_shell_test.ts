/**
 * The app shell in Chromium: the 390 px menu works without JavaScript (mouse and keyboard), by role, with
 * axe finding nothing while it is open; the self-hosted font loads from our build with a long cache and is
 * the one the page uses; a page without islands runs no script at all.
 */
import assert from "node:assert/strict";
import AxeBuilder from "../deps/axe.ts";
import type { Browser, Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import { launchBrowser, noBrowser, sessionCookiesFor, withServer } from "../helpers/browser.ts";
import { makeStaff, signUp } from "../helpers/client.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

/** The names of the header's links a visitor can see now. */
async function visibleHeaderLinks(page: Page): Promise<string[]> {
  // A link without text (the notification bell) is read by its accessible name, as a screen reader would.
  return await page.locator("header a:visible").evaluateAll((els) =>
    els.map((e) => e.textContent!.trim() || (e.getAttribute("aria-label") ?? ""))
  );
}

/**
 * Axe on `path` at 390 px with the menu open. Axe runs as a script in the page, so this context has
 * JavaScript on (the menu itself behaves the same: it is plain HTML).
 */
async function noViolationsWithMenuOpen(
  browser: Browser,
  origin: string,
  path: string,
  cookies: { name: string; value: string; url: string }[] = [],
) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: origin });
  await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto(path, { waitUntil: "networkidle" });
  await page.locator("header summary").click();
  const results = await new AxeBuilder({ page }).analyze();
  await context.close();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
}

Deno.test({
  name:
    "browser: the 390 px menu works without JavaScript, by role; the font is ours; no script on plain pages",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    const browser = await launchBrowser();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    try {
      const trader = await signUp(app);
      const admin = await makeStaff(deps, "admin");
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        const phone = { viewport: { width: 390, height: 844 }, javaScriptEnabled: false, baseURL: origin };

        await t.step(
          "anonymous at 390 px: a Menu button opens the links, a link navigates and closes it",
          async () => {
            const context = await browser.newContext(phone);
            const page = await context.newPage();
            await page.goto("/");
            assert.deepEqual(await visibleHeaderLinks(page), ["PropTrade Pro", "Sign up"]);
            const menu = page.locator("header summary");
            assert.equal(await menu.textContent(), "Menu");
            await menu.click();
            assert.deepEqual(await visibleHeaderLinks(page), [
              "PropTrade Pro",
              "Sign up",
              "Challenges",
              "Rules",
              "FAQ",
              "Sign in",
            ]);
            await page.screenshot({ path: new URL("header-menu-390-anonymous.png", ARTIFACTS).pathname });
            await noViolationsWithMenuOpen(browser, origin, "/");
            await page.locator("header details").getByRole("link", { name: "Rules" }).click();
            await page.waitForURL(/\/rules$/);
            assert.equal(
              await page.locator("header details").getAttribute("open"),
              null,
              "closed on the new page",
            );
            assert.equal(
              // In the closed menu (hidden, so by CSS rather than role): the current page is marked.
              await page.locator('header details a[href="/rules"]').getAttribute("aria-current"),
              "page",
            );
            await context.close();
          },
        );

        await t.step(
          "keyboard: Tab reaches the menu, Enter opens it, the links follow in order",
          async () => {
            const context = await browser.newContext(phone);
            const page = await context.newPage();
            await page.goto("/challenges");
            // Skip link, brand, Sign up, then the menu button.
            for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
            assert.equal(await page.evaluate(() => document.activeElement?.tagName), "SUMMARY");
            await page.keyboard.press("Enter");
            assert.equal(await page.locator("header details").getAttribute("open"), "");
            await page.keyboard.press("Tab");
            assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Challenges");
            await page.keyboard.press("Shift+Tab");
            await page.keyboard.press("Enter");
            assert.equal(
              await page.locator("header details").getAttribute("open"),
              null,
              "Enter closes it again",
            );
            await context.close();
          },
        );

        await t.step(
          "a trader's menu: dashboard pages and account, no back office; staff also get it",
          async () => {
            for (
              const [who, tokens, backOffice] of [["trader", trader, false], ["admin", admin, true]] as const
            ) {
              const context = await browser.newContext(phone);
              await context.addCookies(sessionCookiesFor(tokens, origin));
              const page = await context.newPage();
              await page.goto("/rules");
              await page.locator("header summary").click();
              const menu = page.locator("header details");
              for (const name of ["Overview", "History", "Statistics", "Account", "Challenges"]) {
                assert.ok(await menu.getByRole("link", { name, exact: true }).isVisible(), `${who}: ${name}`);
              }
              assert.equal(
                await menu.getByRole("link", { name: "Back office" }).isVisible(),
                backOffice,
                who,
              );
              assert.ok(await menu.getByRole("button", { name: "Sign out" }).isVisible());
              await page.screenshot({ path: new URL(`header-menu-390-${who}.png`, ARTIFACTS).pathname });
              await noViolationsWithMenuOpen(browser, origin, "/rules", sessionCookiesFor(tokens, origin));
              await context.close();
            }
          },
        );

        await t.step("wide: every link in one row, no menu button", async () => {
          const context = await browser.newContext({ ...phone, viewport: { width: 1440, height: 900 } });
          await context.addCookies(sessionCookiesFor(admin, origin));
          const page = await context.newPage();
          await page.goto("/admin");
          assert.equal(await page.locator("header summary").isVisible(), false);
          assert.deepEqual(await visibleHeaderLinks(page), [
            "PropTrade Pro",
            "Challenges",
            "Rules",
            "FAQ",
            "Dashboard",
            "History",
            "Statistics",
            "Back office",
            "Account",
            "Notifications, none unread",
          ]);
          await context.close();
        });

        await t.step(
          "the font: Inter from our build, preloaded, cached for a year; no script on /",
          async () => {
            const context = await browser.newContext({ baseURL: origin });
            const page = await context.newPage();
            const fonts: { url: string; cache: string | null; type: string | null }[] = [];
            const scripts: string[] = [];
            page.on("response", (res) => {
              const type = res.request().resourceType();
              if (type === "font") {
                fonts.push({
                  url: res.url(),
                  cache: res.headers()["cache-control"],
                  type: res.headers()["content-type"],
                });
              }
              if (type === "script") scripts.push(res.url());
            });
            await page.goto("/", { waitUntil: "networkidle" });
            assert.deepEqual(scripts, []);
            assert.equal(await page.locator("script").count(), 0);
            const preload = await page.locator('link[rel="preload"][as="font"]').getAttribute("href");
            assert.match(preload!, /^\/_frsh\/fonts\/inter-latin-[0-9a-f]{12}\.woff2$/);
            assert.equal(fonts.length, 1, JSON.stringify(fonts));
            assert.equal(new URL(fonts[0].url).pathname, preload);
            assert.equal(fonts[0].type, "font/woff2");
            assert.match(fonts[0].cache!, /max-age=31536000.*immutable/);
            assert.ok(await page.evaluate(() => document.fonts.check('16px "Inter Variable"')));
            assert.match(
              await page.evaluate(() => getComputedStyle(document.body).fontFamily),
              /^"Inter Variable"/,
            );
            await context.close();
          },
        );
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
