import assert from "node:assert/strict";
import AxeBuilder from "@axe-core/playwright";
import { openTestApp } from "../helpers/app.ts";
import { launchBrowser, noBrowser, withServer } from "../helpers/browser.ts";
import { seedDemo } from "../../db/seed.ts";

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
    await seedDemo(deps.db); // no-op when the shared database already has plans
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const browser = await launchBrowser();
    try {
      await withServer((req, info) => app.fetch(req, info), async (origin) => {
        for (const colorScheme of SCHEMES) {
          for (const width of WIDTHS) {
            const context = await browser.newContext({
              colorScheme,
              reducedMotion: "reduce",
              viewport: { width, height: 900 },
            });
            try {
              for (const path of PAGES) {
                await t.step(`${path} · ${colorScheme} · ${width} px`, async () => {
                  const page = await context.newPage();
                  const response = await page.goto(origin + path, { waitUntil: "networkidle" });
                  assert.equal(response?.status(), 200);
                  // Responsive: nothing may push the page sideways (wide tables scroll inside their own box).
                  assert.ok(
                    await page.evaluate((w) => document.documentElement.scrollWidth <= w, width),
                    "page is wider than the viewport",
                  );
                  const results = await new AxeBuilder({ page }).analyze();
                  const name = path === "/" ? "home" : path.slice(1).replaceAll("/", "-");
                  await page.screenshot({
                    path: new URL(`${name}-${width}-${colorScheme}.png`, ARTIFACTS).pathname,
                    fullPage: true,
                  });
                  await page.close();
                  assert.deepEqual(
                    results.violations.map((v) =>
                      `${v.id} (${v.impact}): ${v.help} — ${
                        v.nodes.map((n) => n.target.join(" ")).join(", ")
                      }`
                    ),
                    [],
                  );
                });
              }
            } finally {
              await context.close();
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
