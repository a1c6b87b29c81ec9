/**
 * The platform a connector named (services/accounts/trade_platform.ts), in Chromium: the account page's
 * "Traded on" line, the dashboard card, the terminal's disabled order ticket and the back office's account
 * view name it, at 390 and 1440 px, light and dark, without widening the page (a 64-character name without a
 * space included) and clean under axe.
 * Screenshots go to /tmp/shots/platform_*.png.
 */
import assert from "node:assert/strict";
import type { Page } from "../deps/playwright.ts";
import { openTestApp } from "../helpers/app.ts";
import {
  assertFitsWidth,
  axeViolations,
  fromAddress,
  launchBrowser,
  noBrowser,
  sessionCookiesFor,
  withServer,
} from "../helpers/browser.ts";
import { client, makeStaff, randomIp, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { postSync, sync } from "../helpers/sync.ts";

const SHOTS = "/tmp/shots";
/** The longest name accepted, one word: it must wrap, not push the page sideways. */
const LONG = "NinjaTrader".padEnd(64, "X");

async function photograph(page: Page, name: string, focus: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(200);
      await page.locator(focus).first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/platform_${name}_${scheme}_${width}.png` });
      await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
      assert.deepEqual(
        await axeViolations(page),
        [],
        `axe · ${name} · ${scheme} · ${width} px`,
      );
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

Deno.test({
  name: "browser: the account page, dashboard and back office name the connector's platform",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(SHOTS, { recursive: true });
    const c = client(app);
    const trader = await signUp(app);
    const staff = await makeStaff(deps, "support");
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const START = new Date(Date.now() - 3_600_000);
    const mt5 = (await openTestAccount(deps.db, trader.userId, { at: START })).accountId;
    const long = (await openTestAccount(deps.db, trader.userId, { at: START })).accountId;
    for (
      const [accountId, platform] of [[mt5, { name: "MetaTrader 5", version: "5.0.4200" }], [long, {
        name: LONG,
      }]] as const
    ) {
      const res = await postSync(c, deps.config.syncSecret, {
        accountId,
        platform,
        events: [
          sync.open(`T-${accountId.slice(0, 4)}`, at(60_000)),
          sync.mark("100250.00", "100000.00", at(59_000)),
        ],
      });
      assert.equal(res.status, 200, await res.text());
    }
    const ip = randomIp();
    const serve = fromAddress(app, ip);
    const browser = await launchBrowser();
    try {
      await withServer(serve, async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies(sessionCookiesFor(trader, origin));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));

        await t.step("the account page: Traded on MetaTrader 5 5.0.4200, through its connector", async () => {
          await page.goto(`${origin}/dashboard/accounts/${mt5}`);
          const line = page.locator('[data-trade-source="connector"]');
          assert.match(
            await line.innerText(),
            /^Traded on: MetaTrader 5 \(version 5\.0\.4200\), through its connector\. The terminal shows its positions, read-only\.$/,
          );
          await photograph(page, "account", '[data-trade-source="connector"]');
          await page.goto(`${origin}/dashboard/accounts/${long}`);
          assert.match(await page.locator("[data-platform]").innerText(), new RegExp(`^${LONG}$`));
          await photograph(page, "account_long", '[data-trade-source="connector"]');
        });

        await t.step("the dashboard's cards tell the two accounts' platforms apart", async () => {
          await page.goto(`${origin}/dashboard`);
          assert.equal(
            await page.locator(`[data-account="${mt5}"] [data-platform]`).innerText(),
            "MetaTrader 5",
          );
          assert.equal(await page.locator(`[data-account="${long}"] [data-platform]`).innerText(), LONG);
          await photograph(page, "dashboard", `[data-account="${mt5}"]`);
        });

        await t.step(
          "the terminal's ticket is off and names the platform, a long name wrapping",
          async () => {
            await page.goto(`${origin}/trade/${mt5}`);
            const off = page.locator('[data-ticket-off="platform"]');
            assert.match(
              await off.innerText(),
              /^‖ This ticket is off for this account\. This account is traded through its MetaTrader 5 connector; the built-in venue can't trade it\.$/,
            );
            assert.equal(await page.getByLabel("Volume (lots)").isDisabled(), true);
            for (const name of [/^Buy/, /^Sell/]) {
              assert.equal(await page.getByRole("button", { name }).isDisabled(), true);
            }
            await photograph(page, "terminal", '[data-ticket-off="platform"]');
            await page.goto(`${origin}/trade/${long}`);
            assert.match(await off.innerText(), new RegExp(`traded through its ${LONG} connector;`));
            await photograph(page, "terminal_long", '[data-ticket-off="platform"]');
          },
        );

        await t.step("the back office's account view has a Traded on row", async () => {
          const staffContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
          await staffContext.addCookies(sessionCookiesFor(staff, origin));
          const admin = await staffContext.newPage();
          await admin.goto(`${origin}/admin/accounts/${mt5}`);
          const facts = await admin.locator("[data-facts]").innerText();
          assert.match(facts, /Traded on\s+MetaTrader 5 \(version 5\.0\.4200\), through its connector/);
          await photograph(admin, "admin_account", "[data-facts]");
          await staffContext.close();
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
