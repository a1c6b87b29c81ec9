import assert from "node:assert/strict";
import type { Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import { assertFitsWidth, fromAddress, launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { randomIp, strongPassword, uniqueEmail } from "../helpers/client.ts";
import { insertPlan } from "../../services/plans/queries.ts";
import { demoPlans } from "../../services/demo/seed.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);
const WIDTHS = [390, 1440];

/** Full-page screenshots of `page` at each width, as `checkout-<name>-<width>.png` in tests/artifacts/. */
async function photograph(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // Photographed first, so a failure below leaves the evidence behind.
    await page.screenshot({
      path: new URL(`checkout-${name}-${width}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

Deno.test({
  name:
    "browser: from /challenges to checkout, sign up and confirm on the way, apply a coupon, pay, land on the account",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, inbox, close } = await openTestApp();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    // Its own 100K plan (the size /challenges opens with) and coupon: the database is shared with other tests.
    const tag = crypto.randomUUID().slice(0, 8);
    const family = `Browser${tag}`;
    const base = demoPlans().find((p) => p.slug === "two-step-25k")!.body;
    const body = { ...base, name: `Browser ${tag} 100K`, initialBalance: "100000.00", price: "540.00" };
    const { planId } = await deps.db.tx((tx) => insertPlan(tx, { slug: `browser-${tag}`, family, body }));
    const code = `WELCOME${tag.toUpperCase()}`;
    await deps.db.sql`insert into coupons (code, kind, value) values (${code}, 'percent', 20)`;
    // Rate limits are per IP and, with REDIS_URL, outlive the run: this browser gets an address of its own.
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    const browser = await launchBrowser();
    try {
      await withServer(serve, async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        page.on(
          "console",
          (m) => m.type() === "error" && errors.push(`${new URL(page.url()).pathname}: ${m.text()}`),
        );

        await t.step(
          "the plan's card on /challenges leads to sign-in, remembering the checkout",
          async () => {
            await page.goto(`${origin}/challenges`);
            await page.waitForLoadState("networkidle");
            await page.getByRole("link", { name: `Start this challenge (${family} 100K)` }).click();
            await page.waitForURL((url) => url.pathname === "/signin");
            assert.equal(new URL(page.url()).searchParams.get("next"), `/checkout/${planId}`);
          },
        );

        await t.step(
          "no account yet: sign up, confirm from the mail, sign in, and arrive back at checkout",
          async () => {
            const email = uniqueEmail("browser-buyer");
            const password = strongPassword();
            await page.getByRole("link", { name: "Create an account" }).click();
            await page.waitForURL((url) => url.pathname === "/signup");
            await page.getByLabel("First name").fill("Paula");
            await page.getByLabel("Last name").fill("Payer");
            await page.getByLabel("Email").fill(email);
            await page.getByLabel("Password").fill(password);
            await page.getByRole("button", { name: "Create account" }).click();
            await page.getByRole("heading", { level: 1, name: "Check your inbox" }).waitFor();

            await page.goto(origin + inbox.linkIn(email, "/verify-email"));
            await page.getByRole("button", { name: "Confirm my email address" }).click();
            await page.waitForURL((url) => url.pathname === "/signin");
            await page.getByText("Your email address is confirmed. Sign in to continue.").waitFor();
            await page.getByLabel("Email").fill(email);
            await page.getByLabel("Password").fill(password);
            await page.getByRole("button", { name: "Sign in" }).click();
            await page.waitForURL((url) => url.pathname === `/checkout/${planId}`);
            await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
            await page.getByRole("button", { name: "Pay $540" }).waitFor();
          },
        );

        await t.step("a coupon: the discount and the new total", async () => {
          await page.getByLabel("Coupon code").fill(code.toLowerCase());
          await page.getByRole("button", { name: "Apply coupon" }).click();
          await page.getByText(`Coupon ${code}`).waitFor();
          const order = page.getByRole("region", { name: "Your order" });
          assert.match(await order.innerText(), /−\$108[\s\S]*Total\s*\$432/);
          await photograph(page, "page");
        });

        await t.step("pay: the account page shows the new account active with its balance", async () => {
          await page.getByRole("button", { name: "Pay $432" }).click();
          await page.waitForURL(/\/dashboard\/accounts\/[0-9a-f-]{36}\?purchased=1$/);
          await page.getByText("Payment received").waitFor();
          const main = await page.getByRole("main").innerText();
          assert.match(main, new RegExp(`Browser ${tag} 100K`));
          assert.match(main, /Active/);
          assert.match(main, /Balance\s*\$100,000/);
          assert.match(main, /Equity\s*\$100,000/);
          assert.match(main, /Reach a balance of \$110,000/);
          await photograph(page, "account");
        });

        await t.step("the dashboard lists it, and the header links there", async () => {
          await page.getByRole("banner").getByRole("link", { name: "Dashboard" }).click();
          await page.waitForURL((url) => url.pathname === "/dashboard");
          const card = page.getByRole("listitem").filter({ hasText: new RegExp(`Browser ${tag} 100K`) });
          assert.match(
            await card.innerText(),
            /Active[\s\S]*Balance[\s\S]*\$100,000[\s\S]*Equity[\s\S]*\$100,000/,
          );
          await photograph(page, "dashboard");
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
