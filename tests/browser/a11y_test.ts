import assert from "node:assert/strict";
import AxeBuilder from "../deps/axe.ts";
import type { Browser, BrowserContext } from "../deps/playwright.ts";
import { openTestApp, type TestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { client, makeStaff, signUp } from "../helpers/client.ts";
import { failOnDailyLoss } from "../helpers/dashboard.ts";
import { fundedWithProfit } from "../helpers/payouts.ts";
import { pdfBytes, pngBytes, uploadDocument } from "../helpers/kyc.ts";
import { cookieFor, postForm } from "../helpers/staff_pages.ts";
import { seedDemo } from "../../services/demo/seed.ts";
import { listActivePlans } from "../../services/plans/queries.ts";
import { insertTestimonial } from "../../services/testimonials/queries.ts";
import { purchase } from "../../services/commerce/purchase.ts";
import { refundOrder } from "../../services/commerce/refunds.ts";
import { couponInputSchema, createCoupon } from "../../services/commerce/coupon_admin.ts";

/** Every public page; each is checked in both color schemes and photographed at a phone and a wide width. */
const PAGES = ["/", "/challenges", "/rules", "/faq", "/legal/terms", "/legal/privacy", "/legal/risk"];
const SCHEMES = ["light", "dark"] as const;
const WIDTHS = [390, 1440];
const ARTIFACTS = new URL("../artifacts/", import.meta.url);
/** Pages checked at once, each in its own tab: loading and axe wait on the server and the network in turn. */
const TABS = 3;

/** What every scheme × width test shares: one app, one browser, one server (set up once per file). */
interface Shared {
  app: TestApp;
  browser: Browser;
  origin: string;
  signedIn: ReadonlyArray<readonly [string, string]>;
  cookies: { name: string; value: string; url: string }[];
  staffPages: ReadonlyArray<readonly [string, string]>;
  staffCookies: { name: string; value: string; url: string }[];
  stopServer(): void;
}

let shared: Promise<Shared> | undefined;

async function setUp(): Promise<Shared> {
  const app = await openTestApp();
  const { deps } = app;
  await seedDemo(deps.db, deps.totpKey); // no-op when the shared database already has plans
  // A published testimonial, so the home page's testimonials section is checked too.
  await deps.db.tx((tx) =>
    insertTestimonial(tx, {
      quote: "The rules were exactly as published, and the payout arrived on the day promised.",
      authorName: "Marta K.",
      authorDetail: "Funded trader, Two-Step 100K",
      position: 0,
      published: true,
    }, null)
  );

  // The pages a signed-in trader buys on and follows their accounts on: checkout, the dashboard, an active
  // account bought through checkout's service, and a failed one with its breach evidence.
  const trader = await signUp(app.app);
  const plan = (await listActivePlans(deps.db)).find((p) =>
    p.definition.phases[0].dailyLoss?.on === "equity"
  )!;
  const actor = { userId: trader.userId, ip: null, userAgent: null };
  const bought = await purchase(deps, actor, trader.userId, { planId: plan.id });
  const failed = await purchase(deps, actor, trader.userId, { planId: plan.id });
  await failOnDailyLoss(deps.db, failed.accountId!, failed.order.planVersionId);
  await fundedWithProfit(deps, trader.userId); // the payouts page with a panel ready for a request
  // …and a payout requested from a second funded account, so the page's table of payouts is checked too.
  const { accountId: paidFrom } = await fundedWithProfit(deps, trader.userId);
  const requested = await postForm(client(app.app), "/dashboard/payouts", cookieFor(trader), {
    intent: "confirm",
    accountId: paidFrom,
    amount: "500.00",
    key: crypto.randomUUID(),
    back: "/dashboard/payouts",
    password: trader.password,
  });
  assert.equal(requested.status, 303);
  const signedIn = [
    ["checkout", `/checkout/${plan.id}`],
    ["dashboard", "/dashboard"],
    ["account-active", `/dashboard/accounts/${bought.accountId}`],
    ["account-failed", `/dashboard/accounts/${failed.accountId}`],
    ["terminal", `/trade/${bought.accountId}`],
    ["payouts", "/dashboard/payouts"],
  ] as const;
  // The back office pages, each with data so its tables are drawn: the home page's queues and audit entries,
  // the lists of users, orders (one with a partial refund) and payouts (the request above), the plans and a
  // plan's editor, the instruments and one's editor, the risk monitor, a KYC submission under review, a coupon, the trader above, analytics.
  const admin = await makeStaff(deps, "admin");
  const staff = { userId: admin.userId, ip: null, userAgent: null };
  await refundOrder(deps, staff, bought.order.id, { amount: "10.00", reason: "Goodwill for an outage." });
  const code = `A11Y${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  await createCoupon(deps.db, staff, couponInputSchema.parse({ code, kind: "percent", value: "10.00" }));
  // A KYC submission waiting for review (an image and a PDF), so the review page shows a submission.
  const applicant = await signUp(app.app, { firstName: "Ada", lastName: "Lovelace" });
  for (
    const [kind, file] of [
      ["identity_front", new File([pngBytes()], "front.png")],
      ["proof_of_address", new File([pdfBytes()], "bill.pdf")],
    ] as const
  ) {
    const uploaded = await uploadDocument(client(app.app), applicant.accessToken, kind, file);
    assert.equal(uploaded.status, 201, await uploaded.text());
  }
  const submitted = await client(app.app).request("/api/kyc/submit", {
    method: "POST",
    headers: applicant.auth,
  });
  assert.equal(submitted.status, 201, await submitted.text());
  const staffPages = [
    ["admin-home", "/admin"],
    ["admin-users", "/admin/users"],
    ["admin-user", `/admin/users/${trader.userId}`],
    ["admin-orders", "/admin/orders"],
    ["admin-order", `/admin/orders/${bought.order.id}`],
    ["admin-payouts", "/admin/payouts"],
    ["admin-plans", "/admin/plans"],
    ["admin-plan", `/admin/plans/${plan.id}`],
    ["admin-instruments", "/admin/instruments"],
    ["admin-instrument", "/admin/instruments?edit=EURUSD"],
    ["admin-monitor", "/admin/accounts"],
    ["admin-kyc", "/admin/kyc"],
    ["admin-coupons", "/admin/coupons"],
    ["admin-analytics", "/admin/analytics"],
  ] as const;
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const browser = await launchBrowser();
  // withServer serves for as long as its callback runs: hold it open until the file's tests are done.
  const { promise: origin, resolve: serving } = Promise.withResolvers<string>();
  const { promise: done, resolve: stopServer } = Promise.withResolvers<void>();
  const server = withServer((req, info) => app.app.fetch(req, info), (o) => (serving(o), done));
  server.catch(() => {});
  const served = await origin;
  const cookies = sessionCookiesFor(trader, served);
  const staffCookies = sessionCookiesFor(admin, served);
  return {
    app,
    browser,
    origin: served,
    signedIn,
    cookies,
    staffPages,
    staffCookies,
    stopServer: () => stopServer(),
  };
}

Deno.test.afterAll(async () => {
  if (!shared) return;
  const { app, browser, stopServer } = await shared;
  stopServer();
  await browser.close();
  await app.close();
});

/** Loads `path`, checks it fits the width, photographs it and asserts axe finds nothing. */
async function check(context: BrowserContext, path: string, name: string, width: number, scheme: string) {
  const page = await context.newPage();
  try {
    const response = await page.goto(path, { waitUntil: "networkidle" });
    assert.equal(response?.status(), 200);
    // Responsive: nothing may push the page sideways (wide tables scroll inside their own box).
    await assertFitsWidth(page, width, "page is wider than the viewport");
    const results = await new AxeBuilder({ page }).analyze();
    await page.screenshot({
      path: new URL(`${name}-${width}-${scheme}.png`, ARTIFACTS).pathname,
      fullPage: true,
    });
    assert.deepEqual(
      results.violations.map((v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
      ),
      [],
    );
  } finally {
    await page.close();
  }
}

// One test per color scheme and width (each well under the 30 s a single test may take), sharing the app,
// browser and server above; the browser and server outlive each test, hence the sanitizers are off.
for (const colorScheme of SCHEMES) {
  for (const width of WIDTHS) {
    Deno.test({
      name:
        `browser: axe finds no accessibility violations on the public, trader and staff pages · ${colorScheme} · ${width} px`,
      ignore: noBrowser,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn(t) {
        shared ??= setUp();
        const { browser, origin, signedIn, cookies, staffPages, staffCookies } = await shared;
        const options = { colorScheme, reducedMotion: "reduce", viewport: { width, height: 900 } } as const;
        const anonymous = await browser.newContext({ ...options, baseURL: origin });
        const trader = await browser.newContext({ ...options, baseURL: origin });
        await trader.addCookies(cookies);
        const staff = await browser.newContext({ ...options, baseURL: origin });
        await staff.addCookies(staffCookies);
        const checks = [
          ...PAGES.map((path) => ({
            step: `${path} · ${colorScheme} · ${width} px`,
            run: () =>
              check(
                anonymous,
                path,
                path === "/" ? "home" : path.slice(1).replaceAll("/", "-"),
                width,
                colorScheme,
              ),
          })),
          ...signedIn.map(([name, path]) => ({
            step: `${name} (signed in) · ${colorScheme} · ${width} px`,
            run: () => check(trader, path, name, width, colorScheme),
          })),
          ...staffPages.map(([name, path]) => ({
            step: `${name} (staff) · ${colorScheme} · ${width} px`,
            run: () => check(staff, path, name, width, colorScheme),
          })),
        ];
        try {
          // TABS pages at a time; concurrent steps must not sanitize (they overlap each other's ops).
          const queue = [...checks];
          const tab = async () => {
            for (let next = queue.shift(); next; next = queue.shift()) {
              await t.step({
                name: next.step,
                fn: next.run,
                sanitizeOps: false,
                sanitizeResources: false,
                sanitizeExit: false,
              });
            }
          };
          await Promise.all(Array.from({ length: TABS }, tab));
        } finally {
          await anonymous.close();
          await trader.close();
          await staff.close();
        }
      },
    });
  }
}
