/**
 * The history and statistics pages in Chromium: they fit a 390 px phone (wide tables scroll in their own box),
 * axe finds nothing in either colour scheme, and each is photographed at 390 and 1440 px into tests/artifacts/.
 */
import assert from "node:assert/strict";
import AxeBuilder from "../deps/axe.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { seedTradingDays } from "../helpers/trading.ts";
import { demoPlans } from "../../services/demo/seed.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

Deno.test({
  name: "browser: history and statistics pages fit 390 px, pass axe, and are photographed",
  ignore: noBrowser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const app = await openTestApp();
    const browser = await launchBrowser();
    try {
      const trader = await signUp(app.app);
      await app.deps.db.sql`update users set time_zone = 'Europe/Prague' where id = ${trader.userId}`;
      const start = new Date("2026-06-01T00:00:00Z");
      const { accountId } = await openTestAccount(app.deps.db, trader.userId, { at: start });
      await seedTradingDays(app.deps, accountId, { start, days: 24, perDay: 3 });
      // A plan and phase with names as long as the demo's, so the history's Account column is as wide.
      const second = await openTestAccount(app.deps.db, trader.userId, {
        at: start,
        plan: { ...demoPlans().find((p) => p.slug === "two-step-50k")!.body, name: "Two-Step 50K" },
        stage: 1,
      });
      await seedTradingDays(app.deps, second.accountId, { start: new Date("2026-06-10T00:00:00Z"), days: 5 });
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await withServer((req, info) => app.app.fetch(req, info), async (origin) => {
        for (const colorScheme of ["light", "dark"] as const) {
          for (const width of [390, 1440]) {
            const context = await browser.newContext({
              baseURL: origin,
              colorScheme,
              reducedMotion: "reduce",
              viewport: { width, height: 900 },
            });
            await context.addCookies(sessionCookiesFor(trader, origin));
            for (
              const [name, path] of [
                ["history", "/dashboard/history"],
                ["history-filtered", `/dashboard/history?accountId=${accountId}&result=loss`],
                ["statistics", `/dashboard/statistics?accountId=${accountId}`],
              ]
            ) {
              await t.step(`${name} · ${colorScheme} · ${width} px`, async () => {
                const page = await context.newPage();
                try {
                  const res = await page.goto(path, { waitUntil: "networkidle" });
                  assert.equal(res?.status(), 200);
                  await assertFitsWidth(page, width, "page is wider than the viewport");
                  if (name.startsWith("history") && width === 1440) {
                    // At a desktop width the whole table shows: no sideways scroll to reach "Closed".
                    const table = page.locator("#history-table");
                    const [wide, shown] = await table.evaluate((
                      t,
                    ) => [t.scrollWidth, t.parentElement!.clientWidth]);
                    assert.ok(wide <= shown, `the history table is ${wide} px wide in a ${shown} px box`);
                  }
                  await page.screenshot({
                    path: new URL(`trading-${name}-${width}-${colorScheme}.png`, ARTIFACTS).pathname,
                    fullPage: true,
                  });
                  const results = await new AxeBuilder({ page }).analyze();
                  assert.deepEqual(
                    results.violations.map((v) =>
                      `${v.id} (${v.impact}): ${v.help} — ${
                        v.nodes.map((n) => n.target.join(" ")).join(", ")
                      }`
                    ),
                    [],
                  );
                } finally {
                  await page.close();
                }
              });
            }
            await context.close();
          }
        }
      });
    } finally {
      await browser.close();
      await app.close();
    }
  },
});
