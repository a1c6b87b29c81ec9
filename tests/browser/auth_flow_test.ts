import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import type { Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import { fromAddress, launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { randomIp, strongPassword, uniqueEmail } from "../helpers/client.ts";

/** What an authenticator app shows `offsetSeconds` from now for the key printed on the set-up page. */
function totpCode(key: string, offsetSeconds = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(key.replace(/\s+/g, "")), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

async function signOut(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.getByRole("link", { name: "Sign in" }).waitFor();
}

async function signIn(page: Page, origin: string, email: string, password: string) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

Deno.test({
  name:
    "browser: sign up, verify the email, sign in, turn on 2FA, sign in with a code — all without JavaScript",
  ignore: noBrowser,
  async fn(t) {
    const { app, inbox, close } = await openTestApp();
    const browser = await launchBrowser();
    const email = uniqueEmail("flow");
    const password = strongPassword();
    // Rate limits are per IP and, with REDIS_URL, outlive the run: this browser gets an address of its own.
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    try {
      await withServer(serve, async (origin) => {
        // No script runs on these pages; turning JavaScript off proves the forms need none.
        const context = await browser.newContext({ javaScriptEnabled: false });
        const page = await context.newPage();

        await t.step("sign up: asked to check the inbox, not signed in", async () => {
          await page.goto(`${origin}/signup`);
          await page.getByLabel("First name").fill("Grace");
          await page.getByLabel("Last name").fill("Hopper");
          await page.getByLabel("Email").fill(email);
          await page.getByLabel("Password").fill(password);
          await page.getByRole("button", { name: "Create account" }).click();
          await page.getByRole("heading", { level: 1, name: "Check your inbox" }).waitFor();
          await page.getByText(`We sent a message to ${email}.`).waitFor();
          await page.getByRole("banner").getByRole("link", { name: "Sign in" }).waitFor();
        });

        await t.step("verify: the mailed link opens a page whose button confirms, then sign-in", async () => {
          const link = inbox.linkIn(email, "/verify-email");
          await page.goto(origin + link);
          await page.getByRole("button", { name: "Confirm my email address" }).click();
          await page.waitForURL(/\/signin\?verified=1$/);
          await page.getByText("Your email address is confirmed. Sign in to continue.").waitFor();
        });

        await t.step("sign in with the password", async () => {
          await signIn(page, origin, email, password);
          // A trader lands on the dashboard; the account page is one link away in the header.
          await page.waitForURL(/\/dashboard$/);
          await page.goto(`${origin}/account/security`);
          await page.getByText("Confirmed", { exact: true }).waitFor();
        });

        let key = "";
        await t.step("turn on 2FA with a code from the key shown", async () => {
          await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
          await page.getByRole("img", { name: /QR code/ }).waitFor();
          key = (await page.locator("#totp-key").textContent()) ?? "";
          assert.match(key, /^[A-Z2-7 ]{32,}$/);
          await page.getByLabel("Enter the 6-digit code the app shows").fill(totpCode(key));
          await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
          await page.getByRole("heading", { name: "Your recovery codes" }).waitFor();
          assert.equal(await page.locator("#two-factor ol li").count(), 10);
        });

        await t.step("sign out, sign in: the code is asked for, and lets the trader in", async () => {
          await signOut(page);
          await signIn(page, origin, email, password);
          await page.getByRole("heading", { name: "Enter your code" }).waitFor();
          assert.doesNotMatch(await page.content(), new RegExp(password), "the password is not in the page");
          // The confirmation spent the current 30-second step; apps show the next one soon, and the server
          // accepts one step ahead.
          await page.getByLabel("Authentication code").fill(totpCode(key, 30));
          await page.getByRole("button", { name: "Verify and sign in" }).click();
          await page.waitForURL(/\/dashboard$/);
          await page.goto(`${origin}/account/security`);
          await page.locator("#two-factor").getByText("On", { exact: true }).waitFor();
          await page.getByRole("banner").getByRole("button", { name: "Sign out", exact: true }).waitFor();
        });
        await context.close();
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
