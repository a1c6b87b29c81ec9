import assert from "node:assert/strict";
import type { BrowserContext, Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  fromAddress,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { makeStaff, randomIp, signUp } from "../helpers/client.ts";
import { insertPlan } from "../../services/plans/queries.ts";
import { demoPlans } from "../../services/demo/seed.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function signIn(
  context: BrowserContext,
  tokens: { accessToken: string; refreshToken: string },
  url: string,
) {
  await context.addCookies(sessionCookiesFor(tokens, url));
}

/** Full-page screenshots at 390 and 1440 px as `admin-<name>-<width>.png`; neither may scroll sideways. */
async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({
      path: new URL(`admin-${name}-${width}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

Deno.test({
  name:
    "browser: a plan edited in the back office publishes a new version; the live preview follows the form; " +
    "an account bought before keeps its version; a coupon made in the UI works at checkout",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const tag = crypto.randomUUID().slice(0, 8);
    const base = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const body = { ...base, name: `Catalog ${tag} 100K` };
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `catalog-${tag}`, family: `Cat${tag}`, body })
    );
    const admin = await makeStaff(deps, "admin");
    const trader = await signUp(app);
    const bought = await app.request("/api/challenges/purchase", {
      method: "POST",
      headers: { authorization: `Bearer ${trader.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ planId }),
    });
    assert.equal(bought.status, 201);
    const { accountId } = await bought.json();
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    const browser = await launchBrowser();
    try {
      await withServer(serve, async (origin) => {
        const staff = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await signIn(staff, admin, origin);
        const page = await staff.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));

        await t.step("the list shows the plan with one account on v1", async () => {
          await page.goto(`${origin}/admin/plans`);
          const row = page.getByRole("row").filter({ hasText: `Catalog ${tag} 100K` });
          assert.match(await row.innerText(), /Selling[\s\S]*\$540[\s\S]*v1[\s\S]*1\s*\(v1: 1\)/);
          await photograph(page, "plans");
        });

        await t.step("the live preview follows the form as a field changes", async () => {
          await page.getByRole("link", { name: `Catalog ${tag} 100K` }).click();
          await page.waitForURL(`${origin}/admin/plans/${planId}`);
          const preview = page.locator("[data-preview-status]");
          await preview.getByText("On a $100,000 account, your balance must reach $110,000").first()
            .waitFor();
          await page.locator('[name="phases.0.profitTarget.value"]').fill("12");
          await preview.getByText("On a $100,000 account, your balance must reach $112,000").first()
            .waitFor();
          assert.match(await preview.innerText(), /Challenge: balance to reach\s*\$112,000/);
          // A bad value pauses the preview and names the field, before anything is saved.
          await page.locator('[name="phases.0.dailyLoss.value"]').fill("500");
          await preview.getByText("must be greater than 0 and at most 100").waitFor();
          await page.locator('[name="phases.0.dailyLoss.value"]').fill("4");
          await preview.getByText("must not fall below $96,000").first().waitFor();
          await photograph(page, "plan-editor");
        });

        await t.step("saving publishes version 2 with its field-by-field diff", async () => {
          await page.getByRole("button", { name: "Save as new version" }).click();
          await page.waitForURL(`${origin}/admin/plans/${planId}?saved=versioned`);
          await page.getByText("Saved as a new version").waitFor();
          const history = page.getByRole("region", { name: "Version history" });
          const text = await history.innerText();
          assert.match(text, /Version 2[\s\S]*Current/);
          assert.match(text, /Phase 1 \(Challenge\) · Profit target · percent\s*10 %\s*12 %/);
          assert.match(text, /Phase 1 \(Challenge\) · Daily loss · percent\s*5 %\s*4 %/);
        });

        await t.step("the account bought on version 1 keeps its target", async () => {
          const own = await browser.newContext({ viewport: { width: 1440, height: 900 } });
          await signIn(own, trader, origin);
          const mine = await own.newPage();
          await mine.goto(`${origin}/dashboard/accounts/${accountId}`);
          const main = await mine.getByRole("main").innerText();
          assert.match(main, /Reach a balance of \$110,000/);
          assert.doesNotMatch(main, /\$112,000/);
          await own.close();
          const [row] = await deps.db.sql`
            select v.version from accounts a join plan_versions v on v.id = a.plan_version_id where a.id = ${accountId}`;
          assert.equal(row.version, 1);
        });

        const code = `UI${tag.toUpperCase()}`;
        await t.step("a coupon created in the back office", async () => {
          await page.goto(`${origin}/admin/coupons`);
          await page.getByLabel("Code").fill(code);
          await page.getByLabel("Discount kind").selectOption("percent");
          await page.getByLabel("Discount", { exact: true }).fill("25");
          await page.getByLabel("Uses per trader (optional)").fill("1");
          await page.getByRole("button", { name: "Create coupon" }).click();
          await page.waitForURL((url) =>
            url.pathname === "/admin/coupons" && url.search === "?saved=created"
          );
          const row = page.getByRole("row").filter({ hasText: code });
          assert.match(await row.innerText(), /25 %[\s\S]*All plans[\s\S]*Active/);
          await photograph(page, "coupons");
        });

        await t.step("works at checkout: 25 % off version 2's price", async () => {
          const buyer = await browser.newContext({ viewport: { width: 1440, height: 900 } });
          await signIn(buyer, trader, origin);
          const shop = await buyer.newPage();
          await shop.goto(`${origin}/checkout/${planId}`);
          await shop.getByLabel("Coupon code").fill(code.toLowerCase());
          await shop.getByRole("button", { name: "Apply coupon" }).click();
          await shop.getByText(`Coupon ${code}`).waitFor();
          const order = shop.getByRole("region", { name: "Your order" });
          assert.match(await order.innerText(), /−\$135[\s\S]*Total\s*\$405/);
          await shop.getByRole("button", { name: "Pay $405" }).click();
          await shop.waitForURL(/\/dashboard\/accounts\/[0-9a-f-]{36}\?purchased=1$/);
          assert.match(await shop.getByRole("main").innerText(), /Reach a balance of \$112,000/);
          await buyer.close();
          const [used] = await deps.db.sql`select redemptions from coupons where code = ${code}`;
          assert.equal(used.redemptions, 1);
        });

        await t.step("the FAQ editor", async () => {
          await page.goto(`${origin}/admin/faq`);
          await page.getByLabel("Question").fill(`How fast are payouts (${tag})?`);
          await page.getByLabel("Answer").fill("Usually within one business day of approval.");
          await page.getByLabel("Category").selectOption("payouts");
          await page.getByRole("button", { name: "Add entry" }).click();
          await page.waitForURL((url) => url.pathname === "/admin/faq" && url.search === "?saved=created");
          await photograph(page, "faq");
        });

        assert.deepEqual(errors, []);
        await staff.close();
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
