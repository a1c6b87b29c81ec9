import assert from "node:assert/strict";
import { openTestApp } from "../helpers/app.ts";
import { launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { insertFaqEntry } from "../../services/faq/queries.ts";
import { seedFaqIfEmpty } from "../../services/faq/seed.ts";

Deno.test({
  name: "browser: the FAQ search filters instantly, the category filter works, and without JS all is there",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await seedFaqIfEmpty(deps.db); // no-op when the shared database already has FAQ entries
    const tag = crypto.randomUUID().slice(0, 8);
    const slug = `browser-${tag}`;
    await deps.db.tx((tx) =>
      insertFaqEntry(tx, {
        category: "platform",
        slug,
        question: `Zebra ${tag} question?`,
        answer: `Unique answer ${tag}.`,
        published: true,
      })
    );
    const browser = await launchBrowser();
    const visibleIds = (page: import("../deps/playwright.ts").Page) =>
      page.locator("#faq-list article:visible").evaluateAll((els) => els.map((e) => e.id));
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        await t.step("typing filters the list without a reload", async () => {
          const page = await browser.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(e.message));
          page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
          await page.goto(`${origin}/faq`);
          await page.waitForLoadState("networkidle");
          const all = await visibleIds(page);
          assert.ok(all.length > 1 && all.includes(slug));
          await page.evaluate(() => ((globalThis as { marker?: number }).marker = 1));
          await page.fill("#faq-q", `zebra ${tag}`);
          await page.waitForFunction(() =>
            document.querySelectorAll("#faq-list article:not([hidden])").length === 1
          );
          assert.deepEqual(await visibleIds(page), [slug]);
          assert.equal(await page.locator("#faq-platform").isVisible(), true);
          assert.equal(await page.locator("#faq-general").isVisible(), false);
          assert.match(page.url(), new RegExp(`\\?q=zebra\\+${tag}$`));
          await page.fill("#faq-q", "no-such-words-anywhere");
          await page.waitForSelector("#faq-empty", { state: "visible" });
          await page.fill("#faq-q", "");
          await page.waitForFunction(
            (n) => document.querySelectorAll("#faq-list article:not([hidden])").length === n,
            all.length,
          );
          assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1);
          assert.deepEqual(errors, []);
          await page.close();
        });

        await t.step(
          "answers are folded: a click unfolds one, a search and a link to an answer unfold it",
          async () => {
            const page = await browser.newPage();
            await page.goto(`${origin}/faq`);
            await page.waitForLoadState("networkidle");
            const answer = page.getByText(`Unique answer ${tag}.`);
            assert.equal(await answer.isVisible(), false);
            const question = page.locator(`#${slug} summary`);
            await question.press("Enter");
            await answer.waitFor({ state: "visible" });
            await question.click();
            await answer.waitFor({ state: "hidden" });
            await page.fill("#faq-q", `zebra ${tag}`);
            await answer.waitFor({ state: "visible" });
            await page.goto(`${origin}/faq#${slug}`);
            await page.waitForLoadState("networkidle");
            await page.getByText(`Unique answer ${tag}.`).waitFor({ state: "visible" });
            await page.close();
          },
        );

        await t.step("the category filter shows one category", async () => {
          const page = await browser.newPage();
          await page.goto(`${origin}/faq`);
          await page.waitForLoadState("networkidle");
          await page.getByRole("radio", { name: "Platform" }).check({ force: true });
          await page.waitForSelector("#faq-general", { state: "hidden" });
          const sections = await page.locator("#faq-list section:visible").evaluateAll((els) =>
            els.map((e) => e.id)
          );
          assert.deepEqual(sections, ["faq-platform"]);
          assert.ok((await visibleIds(page)).includes(slug));
          assert.match(page.url(), /\?category=platform$/);
          await page.close();
        });

        await t.step("without JavaScript every entry is visible and anchors work", async () => {
          const context = await browser.newContext({ javaScriptEnabled: false });
          const page = await context.newPage();
          await page.goto(`${origin}/faq`);
          const total = await page.locator("#faq-list article").count();
          assert.equal((await visibleIds(page)).length, total);
          await page.click(`a[href="#faq-platform"]`);
          await page.waitForURL(/#faq-platform$/);
          await page.goto(`${origin}/faq#${slug}`);
          assert.equal(await page.locator(`#${slug}`).isVisible(), true);
          assert.ok(
            await page.evaluate((id) => {
              const r = document.getElementById(id)!.getBoundingClientRect();
              return r.top >= 0 && r.top < innerHeight;
            }, slug),
          );
          // The search form falls back to a server-side filter.
          await page.fill("#faq-q", `zebra ${tag}`);
          await page.click('button:has-text("Search")');
          await page.waitForURL(/q=zebra/);
          assert.deepEqual(await visibleIds(page), [slug]);
          await context.close();
        });
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
