import assert from "node:assert/strict";
import { openTestApp } from "../helpers/app.ts";
import { launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { seedDemo } from "../../services/demo/seed.ts";

Deno.test({
  name: "browser: the plan switcher changes account size without a reload, and works without JavaScript",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await seedDemo(deps.db, deps.totpKey); // no-op when the shared database already has plans
    const browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        await t.step("with JavaScript: instant switch, URL kept shareable", async () => {
          const page = await browser.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(e.message));
          page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
          await page.goto(`${origin}/challenges`);
          await page.waitForLoadState("networkidle");
          // A marker on window survives only if the page was not reloaded.
          await page.evaluate(() => ((globalThis as { marker?: number }).marker = 1));
          await page.click('nav[aria-label="Account size"] >> text=25K');
          await page.waitForFunction(() => document.querySelector("#plans h3")?.textContent?.includes("25K"));
          assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1);
          assert.match(page.url(), /\?size=25K#plans$/);
          assert.equal(
            await page.locator('nav[aria-label="Account size"] [aria-current="true"]').textContent(),
            "25K",
          );
          assert.deepEqual(errors, []);
          await page.close();
        });

        await t.step(
          "from the page cache: hash-allowed boot script, no CSP violation, hydrated",
          async () => {
            app.pageCache.invalidate("plans");
            const page = await browser.newPage();
            const problems: string[] = [];
            page.on("pageerror", (e) => problems.push(e.message));
            page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
            // Runs before the page's own scripts (injected by the browser, not subject to the page's CSP).
            await page.addInitScript(() =>
              document.addEventListener(
                "securitypolicyviolation",
                (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
              )
            );
            const first = await page.goto(`${origin}/challenges`);
            assert.equal(first?.headers()["x-page-cache"], "miss");
            const res = await page.goto(`${origin}/challenges`);
            assert.equal(res?.headers()["x-page-cache"], "hit");
            const csp = res!.headers()["content-security-policy"];
            assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]+=*' 'strict-dynamic';/);
            assert.doesNotMatch(csp, /unsafe-inline|nonce-/);
            await page.waitForLoadState("networkidle");
            await page.evaluate(() => ((globalThis as { marker?: number }).marker = 2));
            await page.click('nav[aria-label="Account size"] >> text=50K');
            await page.waitForFunction(() =>
              document.querySelector("#plans h3")?.textContent?.includes("50K")
            );
            assert.equal(
              await page.evaluate(() => (globalThis as { marker?: number }).marker),
              2,
              "no reload",
            );
            assert.deepEqual(problems, []);
            await page.close();
          },
        );

        await t.step("without JavaScript: the size links are server-rendered filters", async () => {
          const context = await browser.newContext({ javaScriptEnabled: false });
          const page = await context.newPage();
          await page.goto(`${origin}/challenges`);
          await page.click('nav[aria-label="Account size"] >> text=50K');
          await page.waitForURL(/size=50K/);
          const headings = await page.locator("#plans h3").allTextContents();
          assert.ok(headings.length > 0 && headings.every((h) => h.includes("50K")), headings.join());
          await context.close();
        });
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
