/**
 * KYC in Chromium: the trader uploads with the island (progress bar, then the page shows the document),
 * submits, support opens a document from /admin/kyc (the open, not the queue's load, is audited) and
 * approves, and the trader's pending funded account turns active. Pages are photographed at 390 and 1440 px
 * and checked with axe.
 */
import assert from "node:assert/strict";
import AxeBuilder from "../deps/axe.ts";
import type { Browser, Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { makeStaff, signUp } from "../helpers/client.ts";
import { pdfBytes } from "../helpers/kyc.ts";
import { openTestAccount } from "../helpers/accounts.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function photograph(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
    await page.screenshot({ path: new URL(`${name}-${width}.png`, ARTIFACTS).pathname, fullPage: true });
  }
  const axe = await new AxeBuilder({ page }).analyze();
  assert.deepEqual(
    axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target).join(", ")}`),
    [],
  );
}

Deno.test({
  name: "browser: KYC upload with progress, submit, staff approval activates the funded account",
  ignore: noBrowser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const testApp = await openTestApp();
    const { deps } = testApp;
    let browser: Browser | undefined;
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const trader = await signUp(testApp.app, { firstName: "Grace", lastName: "Hopper" });
      const support = await makeStaff(deps, "support");
      const funded = await openTestAccount(deps.db, trader.userId, { stage: "funded" });
      const files = await Deno.makeTempDir();
      // A real (1×1) PNG, so the staff page can show that the signed link serves a decodable image.
      const onePixel =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
      await Deno.writeFile(`${files}/passport.png`, Uint8Array.from(atob(onePixel), (c) => c.charCodeAt(0)));
      await Deno.writeFile(`${files}/bill.pdf`, pdfBytes());
      browser = await launchBrowser();
      await withServer((req, info) => testApp.app.fetch(req, info), async (origin) => {
        const traderCtx = await browser!.newContext({
          baseURL: origin,
          viewport: { width: 1440, height: 900 },
        });
        await traderCtx.addCookies(sessionCookiesFor(trader, origin));
        const page = await traderCtx.newPage();

        await t.step("the trader uploads both documents through the island and submits", async () => {
          await page.goto("/dashboard/verification", { waitUntil: "networkidle" });
          await photograph(page, "kyc-verification-empty");
          // A file that is not an image or a PDF: the island says so in a sentence, not the API's wording.
          await Deno.writeTextFile(`${files}/notes.png`, "<html>not an image</html>");
          await page.locator("#kyc-kind").selectOption("identity_front");
          await page.locator("#kyc-file").setInputFiles(`${files}/notes.png`);
          await page.getByRole("button", { name: "Upload" }).click();
          const refused = page.locator("#kyc-upload-error");
          await refused.waitFor();
          assert.equal(
            await refused.innerText(),
            "The file must be a JPEG, PNG or PDF file (recognised by its content).",
          );
          await photograph(page, "kyc-verification-refused");
          await page.locator("#kyc-kind").selectOption("identity_front");
          await page.locator("#kyc-file").setInputFiles(`${files}/passport.png`);
          // The island posts to the API (with a progress bar) and reloads the page on success.
          await Promise.all([
            page.waitForURL(/uploaded=identity_front/),
            page.getByRole("button", { name: "Upload" }).click(),
          ]);
          await page.locator("#kyc-kind").selectOption("proof_of_address");
          await page.locator("#kyc-file").setInputFiles(`${files}/bill.pdf`);
          await Promise.all([
            page.waitForURL(/uploaded=proof_of_address/),
            page.getByRole("button", { name: "Upload" }).click(),
          ]);
          await page.getByText("Ready to submit").waitFor();
          await photograph(page, "kyc-verification-ready");
          await Promise.all([
            page.waitForURL(/submitted=1/),
            page.getByRole("button", { name: "Submit for review" }).click(),
          ]);
          await page.getByText("Under review").first().waitFor();
          await photograph(page, "kyc-verification-submitted");
        });

        await t.step("support sees the documents beside the profile and approves", async () => {
          const staffCtx = await browser!.newContext({
            baseURL: origin,
            viewport: { width: 1440, height: 900 },
          });
          await staffCtx.addCookies(sessionCookiesFor(support, origin));
          const admin = await staffCtx.newPage();
          const views = async () =>
            (await deps.db.sql`
              select count(*)::int as n from audit_log
              where action = 'kyc.document_viewed' and actor_id = ${support.userId}`)[0].n;
          await admin.goto("/admin/kyc", { waitUntil: "networkidle" });
          await admin.getByRole("heading", { name: "Grace Hopper" }).waitFor();
          // Loading the queue shows what was sent, not the documents: no view is logged until one is opened.
          await photograph(admin, "kyc-admin-queue");
          await admin.reload({ waitUntil: "networkidle" });
          assert.equal(await views(), 0, "listing the queue (twice) logged no document view");
          // Opening one loads it through its signed link, decrypted by the app (the browser decodes the
          // image), and that open is the one view audited.
          const [opened] = await Promise.all([
            admin.waitForEvent("popup"),
            admin.getByRole("link", { name: /Open .*Identity document — front/ }).click(),
          ]);
          await opened.waitForLoadState();
          assert.equal(
            await opened.evaluate(() =>
              (document.querySelector("img") as HTMLImageElement | null)?.naturalWidth
            ),
            1,
          );
          await opened.close();
          assert.equal(await views(), 1, "the open was audited, once");
          await Promise.all([
            admin.waitForURL(/done=approved/),
            admin.getByRole("button", { name: "Approve" }).click(),
          ]);
          await admin.getByText("The submission was approved").waitFor();
          const [account] = await deps.db.sql`select status from accounts where id = ${funded.accountId}`;
          assert.equal(account.status, "active");
        });

        await t.step("the trader sees the verified status", async () => {
          await page.goto("/dashboard/verification", { waitUntil: "networkidle" });
          await page.getByText("Verified").first().waitFor();
          await photograph(page, "kyc-verification-approved");
        });
      });
      await Deno.remove(files, { recursive: true });
    } finally {
      await browser?.close();
      await testApp.close();
    }
  },
});
