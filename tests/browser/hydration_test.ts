import assert from "node:assert/strict";
import { fixtureApp } from "../helpers/fixture_app.ts";
import { launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";

Deno.test({
  name: "browser: islands hydrate in place, share one signal, and pages without islands load no script",
  ignore: noBrowser,
  async fn(t) {
    const app = await fixtureApp();
    const browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
        page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
        page.on("pageerror", (e) => problems.push(e.message));
        const scripts: string[] = [];
        page.on("request", (r) => r.resourceType() === "script" && scripts.push(r.url()));

        await t.step("an island becomes interactive and two islands share one signal", async () => {
          await page.goto(`${origin}/islands`);
          await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3");
          await page.click("#inc");
          await page.waitForFunction(() => document.querySelector("#count")?.textContent === "4");
          assert.equal(await page.textContent("#view"), "Seen: 4");
          await page.click("#inc");
          await page.waitForFunction(() => document.querySelector("#view")?.textContent === "Seen: 5");
        });

        await t.step(
          "props arrive intact (hostile string, Date) and the DOM is reused, not duplicated",
          async () => {
            assert.equal(await page.textContent("#label"), "</script><script>alert(1)</script><!-- \u2028");
            assert.equal(await page.textContent("#when"), "2026-01-02T03:04:05.000Z");
            assert.equal(await page.locator(".counter").count(), 1);
            assert.equal(await page.locator("#static").count(), 1);
            assert.deepEqual(problems, []);
          },
        );

        await t.step("a colocated (_islands) island hydrates", async () => {
          await page.goto(`${origin}/colocated`);
          await page.waitForLoadState("networkidle");
          await page.click("#toggle");
          await page.waitForFunction(() => document.querySelector("#toggle")?.textContent === "on");
          assert.equal(await page.getAttribute("#toggle", "aria-pressed"), "true");
        });

        await t.step("a page without islands requests no script at all", async () => {
          scripts.length = 0;
          await page.goto(`${origin}/`);
          await page.waitForLoadState("networkidle");
          assert.deepEqual(scripts, []);
          assert.equal(await page.locator("script").count(), 0);
          assert.deepEqual(problems, []);
        });
      });
    } finally {
      await browser.close();
    }
  },
});
