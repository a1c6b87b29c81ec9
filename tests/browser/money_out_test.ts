/**
 * The whole money-out path of issue #12 in Chromium: the trader uploads KYC documents, support approves and the
 * pending funded account turns active; a signed demo-sync makes a profit; the trader requests a payout with a
 * 2FA code; two different staff approve (above the four-eyes amount), one marks it paid; the trader sees it
 * paid, and the account page's chart marks the withdrawal as a withdrawal (its own marker and legend entry).
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import { fromAddress, launchBrowser, noBrowser, sessionCookiesFor, withServer } from "../helpers/browser.ts";
import { client, enrolTotp, makeStaff, randomIp, signUp } from "../helpers/client.ts";
import { pdfBytes } from "../helpers/kyc.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { fundedPlan } from "../helpers/payouts.ts";
import { postSync, sync } from "../helpers/sync.ts";
import { totpCode } from "../../services/auth/totp.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: new URL(`${name}-${width}.png`, ARTIFACTS).pathname, fullPage: true });
  }
}

Deno.test({
  name: "browser: KYC, approval, profit, payout with 2FA, four eyes, paid; the chart marks the withdrawal",
  ignore: noBrowser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    deps.config.payoutFourEyesAbove = "1000.00";
    let browser: Browser | null = null;
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const trader = await signUp(app, { firstName: "Ada", lastName: "Lovelace" });
      const { accountId } = await openTestAccount(deps.db, trader.userId, {
        plan: fundedPlan({ payoutIntervalDays: 1 }),
        stage: "funded",
      });
      const { totpSecret } = await enrolTotp(deps, trader.userId, trader.email);
      const support = await makeStaff(deps, "support");
      const risk = await makeStaff(deps, "risk");
      const admin = await makeStaff(deps, "admin");
      const files = await Deno.makeTempDir();
      await Deno.writeFile(`${files}/passport.pdf`, pdfBytes());
      await Deno.writeFile(`${files}/bill.pdf`, pdfBytes());
      browser = await launchBrowser();
      await withServer(serve, async (origin) => {
        const as = async (who: { accessToken: string; refreshToken: string }) => {
          const context = await browser!.newContext({
            baseURL: origin,
            viewport: { width: 1440, height: 900 },
          });
          await context.addCookies(sessionCookiesFor(who, origin));
          return await context.newPage();
        };
        const page = await as(trader);

        await t.step(
          "KYC: the trader uploads and submits; support approves; the account turns active",
          async () => {
            const [before] = await deps.db.sql`select status from accounts where id = ${accountId}`;
            assert.equal(before.status, "pending_kyc");
            await page.goto("/dashboard/verification", { waitUntil: "networkidle" });
            for (
              const [kind, file] of [["identity_front", "passport.pdf"], ["proof_of_address", "bill.pdf"]]
            ) {
              await page.locator("#kyc-kind").selectOption(kind);
              await page.locator("#kyc-file").setInputFiles(`${files}/${file}`);
              await Promise.all([
                page.waitForURL(new RegExp(`uploaded=${kind}`)),
                page.getByRole("button", { name: "Upload" }).click(),
              ]);
            }
            await Promise.all([
              page.waitForURL(/submitted=1/),
              page.getByRole("button", { name: "Submit for review" }).click(),
            ]);
            const staff = await as(support);
            await staff.goto("/admin/kyc", { waitUntil: "networkidle" });
            await staff.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
            await Promise.all([
              staff.waitForURL(/done=approved/),
              staff.getByRole("button", { name: "Approve" }).click(),
            ]);
            const [after] = await deps.db.sql`select status from accounts where id = ${accountId}`;
            assert.equal(after.status, "active");
          },
        );

        await t.step("a signed demo-sync closes a 3,000 profit", async () => {
          const opened = new Date().toISOString();
          await new Promise((r) => setTimeout(r, 20));
          const res = await postSync(client(app), deps.config.syncSecret, {
            accountId,
            events: [sync.open("w1", opened), sync.close("w1", "3000.00", new Date().toISOString())],
          });
          assert.equal(res.status, 200, await res.clone().text());
          const [a] = await deps.db.sql`select balance::text from accounts where id = ${accountId}`;
          assert.equal(a.balance, "103000.00");
          // The plan's 1-day interval from the first trade must pass, and the app has no injectable clock:
          // the trade's open moves back two days instead (the engine's figures do not depend on it).
          await deps.db.sql`
            update trades set opened_at = opened_at - interval '2 days' where account_id = ${accountId}`;
        });

        const panel = page.locator(`#payouts-${accountId}`);
        // The account page stays open in a second tab: the request's change frame must read as a withdrawal.
        const live = await page.context().newPage();
        await live.goto(`/dashboard/accounts/${accountId}`, { waitUntil: "networkidle" });
        await live.locator("[data-withdrawals='0']").waitFor();
        await t.step("the trader requests 2,500 with a 2FA code", async () => {
          await page.goto("/dashboard/payouts");
          await panel.getByText("Ready for a payout").waitFor();
          await panel.getByLabel("Amount to withdraw (USD)").fill("2500");
          await panel.getByRole("button", { name: "Review the payout" }).click();
          await panel.getByText("You receive (80 %)").waitFor();
          await panel.getByLabel("Code from your authenticator app").fill(totpCode(totpSecret, new Date()));
          await panel.getByRole("button", { name: "Request $2,000" }).click();
          await page.getByText("Your payout request was sent for review.").waitFor();
          await panel.getByText("Pending review").waitFor();
        });

        await t.step(
          "the open account page names it a withdrawal, live, and the chart marks it",
          async () => {
            const note = live.locator("[data-ledger='withdrawal']");
            await note.waitFor();
            assert.match(await note.textContent() ?? "", /\$2,500 left the balance.*not a trading loss/);
            await live.locator("[data-withdrawals='1']").waitFor();
            await live.locator("[data-figure='balance'], dd, p").getByText("$100,500").first().waitFor();
            await photograph(live, "money-out-live");
          },
        );

        await t.step("risk and admin approve (four eyes), admin marks it paid", async () => {
          const [{ id }] = await deps.db.sql<{ id: string }[]>`
            select id from payouts where account_id = ${accountId}`;
          const riskPage = await as(risk);
          await riskPage.goto(`/admin/payouts?id=${id}`);
          await riskPage.getByRole("button", { name: "Approve" }).click();
          await riskPage.getByText("approvals 1/2").waitFor();
          const adminPage = await as(admin);
          await adminPage.goto(`/admin/payouts?id=${id}`);
          await adminPage.getByRole("button", { name: "Approve" }).click();
          await adminPage.getByText("approvals 2/2").waitFor();
          await adminPage.getByLabel("Payment reference").fill("WIRE-MONEY-OUT");
          await adminPage.getByRole("button", { name: "Mark paid" }).click();
          await adminPage.getByText("The payout is marked paid.").waitFor();
        });

        await t.step("the trader sees it paid; the account chart marks the withdrawal", async () => {
          await page.goto("/dashboard/payouts");
          await panel.getByText("Paid", { exact: true }).waitFor();
          await panel.getByText(/reference WIRE-MONEY-OUT/).waitFor();
          await page.goto(`/dashboard/accounts/${accountId}`, { waitUntil: "networkidle" });
          await page.locator("[data-withdrawals='1']").waitFor();
          await page.getByText("Withdrawal", { exact: true }).first().waitFor();
          const res = await page.request.get(`/api/accounts/${accountId}/equity`);
          const body = await res.json();
          assert.deepEqual(
            body.withdrawals.map((w: { type: string; amount: string; balance: string }) => [
              w.type,
              w.amount,
              w.balance,
            ]),
            [["withdrawal", "2500.00", "100500.00"]],
          );
          assert.deepEqual(body.breaches, []);
          await photograph(page, "money-out-account");
        });
      });
      await Deno.remove(files, { recursive: true });
    } finally {
      await browser?.close();
      await close();
    }
  },
});
