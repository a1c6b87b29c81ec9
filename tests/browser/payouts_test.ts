/**
 * The payout path in Chromium, without JavaScript (the pages ship none): a trader with 2FA reviews the share,
 * confirms with a code, staff approve twice above the four-eyes amount (the same approver again is refused),
 * mark it paid, and the trader sees it paid. (The KYC half of the path lives with the KYC pages.)
 */
import assert from "node:assert/strict";
import type { Browser } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  fromAddress,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { enrolTotp, makeStaff, randomIp, signUp } from "../helpers/client.ts";
import { fundedWithProfit } from "../helpers/payouts.ts";
import { totpCode } from "../../services/auth/totp.ts";

Deno.test({
  name: "browser: trader requests a payout with a 2FA step-up, two staff approve, it is marked paid",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    deps.config.payoutFourEyesAbove = "1000.00";
    let browser: Browser | null = null;
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    try {
      const trader = await signUp(app);
      const { accountId } = await fundedWithProfit(deps, trader.userId);
      const { totpSecret } = await enrolTotp(deps, trader.userId, trader.email);
      const risk = await makeStaff(deps, "risk");
      const admin = await makeStaff(deps, "admin");
      browser = await launchBrowser();
      await withServer(serve, async (origin) => {
        const as = async (who: { accessToken: string; refreshToken: string }) => {
          const context = await browser!.newContext({ javaScriptEnabled: false });
          await context.addCookies(sessionCookiesFor(who, origin));
          return await context.newPage();
        };
        const traderPage = await as(trader);
        const panel = traderPage.locator(`#payouts-${accountId}`);

        await t.step("trader: the share is shown before confirming; the code confirms", async () => {
          await traderPage.goto(`${origin}/dashboard/payouts`);
          await panel.getByText("Ready for a payout").waitFor();
          await panel.getByLabel("Amount to withdraw (USD)").fill("2500");
          await panel.getByRole("button", { name: "Review the payout" }).click();
          await panel.getByText("You receive (80 %)").waitFor();
          assert.equal(await panel.locator("dd").nth(1).textContent(), "$2,000");
          await panel.getByLabel("Code from your authenticator app").fill(totpCode(totpSecret, new Date()));
          await panel.getByRole("button", { name: "Request $2,000" }).click();
          await traderPage.getByText("Your payout request was sent for review.").waitFor();
          await panel.getByText("Pending review").waitFor();
        });

        const [{ id }] = await deps.db.sql<
          { id: string }[]
        >`select id from payouts where account_id = ${accountId}`;
        await t.step(
          "risk approves; approving again is refused; admin's approval makes it approved",
          async () => {
            const riskPage = await as(risk);
            await riskPage.goto(`${origin}/admin/payouts`);
            await riskPage.getByRole("link", { name: `Review the payout of ${trader.email}` }).click();
            await riskPage.getByRole("button", { name: "Approve" }).click();
            await riskPage.getByText("Your approval is recorded.").waitFor();
            await riskPage.getByText("approvals 1/2").waitFor();
            await riskPage.getByRole("button", { name: "Approve" }).click();
            await riskPage.getByText("You have already approved this payout").waitFor();
            const adminPage = await as(admin);
            await adminPage.goto(`${origin}/admin/payouts?id=${id}`);
            await adminPage.getByRole("button", { name: "Approve" }).click();
            await adminPage.getByText("approvals 2/2").waitFor();
            await adminPage.getByLabel("Payment reference").fill("WIRE-2026-12");
            await adminPage.getByRole("button", { name: "Mark paid" }).click();
            await adminPage.getByText("The payout is marked paid.").waitFor();
          },
        );

        await t.step("the staff list fits a 390 px phone: the table scrolls in its own box", async () => {
          // The last column's link carries a visually hidden name (sr-only, position: absolute); with no
          // positioned ancestor it escaped the table's scroll box and widened the whole page to ~770 px.
          const riskPage = await as(risk);
          await riskPage.setViewportSize({ width: 390, height: 844 });
          await riskPage.goto(`${origin}/admin/payouts`);
          await riskPage.getByRole("link", { name: `Review the payout of ${trader.email}` }).waitFor();
          await assertFitsWidth(riskPage, 390, "/admin/payouts scrolls sideways at 390 px");
        });

        await t.step("trader sees it paid, with the reference", async () => {
          await traderPage.goto(`${origin}/dashboard/payouts`);
          await panel.getByText("Paid", { exact: true }).waitFor();
          await panel.getByText(/reference WIRE-2026-12/).waitFor();
        });
      });
    } finally {
      await browser?.close();
      await close();
    }
  },
});
