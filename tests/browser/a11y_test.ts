import assert from "node:assert/strict";
import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext } from "playwright-core";
import { openTestApp } from "../helpers/app.ts";
import { launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { signUp } from "../helpers/client.ts";
import { failOnDailyLoss } from "../helpers/dashboard.ts";
import { seedDemo } from "../../services/demo/seed.ts";
import { listActivePlans } from "../../services/plans/queries.ts";
import { insertTestimonial } from "../../services/testimonials/queries.ts";
import { sessionCookies } from "../../routes/(_http)/auth_cookies.ts";
import { purchase } from "../../services/commerce/purchase.ts";

/** Every public page; each is checked in both color schemes and photographed at a phone and a wide width. */
const PAGES = ["/", "/challenges", "/rules", "/faq", "/legal/terms", "/legal/privacy", "/legal/risk"];
const SCHEMES = ["light", "dark"] as const;
const WIDTHS = [390, 1440];
const ARTIFACTS = new URL("../artifacts/", import.meta.url);

Deno.test({
  name: "browser: axe finds no accessibility violations on the public pages, light and dark",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
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
    const trader = await signUp(app);
    const plan = (await listActivePlans(deps.db)).find((p) =>
      p.definition.phases[0].dailyLoss?.on === "equity"
    )!;
    const actor = { userId: trader.userId, ip: null, userAgent: null };
    const bought = await purchase(deps, actor, trader.userId, { planId: plan.id });
    const failed = await purchase(deps, actor, trader.userId, { planId: plan.id });
    await failOnDailyLoss(deps.db, failed.accountId!, failed.order.planVersionId);
    const signedIn = [
      ["checkout", `/checkout/${plan.id}`],
      ["dashboard", "/dashboard"],
      ["account-active", `/dashboard/accounts/${bought.accountId}`],
      ["account-failed", `/dashboard/accounts/${failed.accountId}`],
    ] as const;
    const cookies = sessionCookies(false, trader).map((c) => {
      const [name, value] = c.split(";")[0].split("=");
      return { name, value };
    });

    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const browser = await launchBrowser();

    /** Loads `path`, checks it fits the width, photographs it and asserts axe finds nothing. */
    async function check(context: BrowserContext, path: string, name: string, width: number, scheme: string) {
      const page = await context.newPage();
      const response = await page.goto(path, { waitUntil: "networkidle" });
      assert.equal(response?.status(), 200);
      // Responsive: nothing may push the page sideways (wide tables scroll inside their own box).
      assert.ok(
        await page.evaluate((w) => document.documentElement.scrollWidth <= w, width),
        "page is wider than the viewport",
      );
      const results = await new AxeBuilder({ page }).analyze();
      await page.screenshot({
        path: new URL(`${name}-${width}-${scheme}.png`, ARTIFACTS).pathname,
        fullPage: true,
      });
      await page.close();
      assert.deepEqual(
        results.violations.map((v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
        ),
        [],
      );
    }

    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        for (const colorScheme of SCHEMES) {
          for (const width of WIDTHS) {
            const options = {
              colorScheme,
              reducedMotion: "reduce",
              viewport: { width, height: 900 },
            } as const;
            const anonymous = await browser.newContext({ ...options, baseURL: origin });
            const trader = await browser.newContext({ ...options, baseURL: origin });
            await trader.addCookies(cookies.map((c) => ({ ...c, url: origin })));
            try {
              for (const path of PAGES) {
                const name = path === "/" ? "home" : path.slice(1).replaceAll("/", "-");
                await t.step(
                  `${path} · ${colorScheme} · ${width} px`,
                  () => check(anonymous, path, name, width, colorScheme),
                );
              }
              for (const [name, path] of signedIn) {
                await t.step(
                  `${name} (signed in) · ${colorScheme} · ${width} px`,
                  () => check(trader, path, name, width, colorScheme),
                );
              }
            } finally {
              await anonymous.close();
              await trader.close();
            }
          }
        }
      });
    } finally {
      await browser.close();
      await close();
    }
  },
});
