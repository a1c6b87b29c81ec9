/**
 * A trader whose account an outside platform feeds (its connector made the first trade, so the built-in venue
 * cannot trade it: services/accounts/trade_source.ts): the order ticket is off and says why; a signed
 * demo-sync opens a position while the terminal is open, and it appears there without a reload — labelled as
 * the connector's, without a close button, counted in equity — and its close heads the recent closed trades.
 * Screenshots with the connector's position at 390 and 1440 px, light and dark, go to /tmp/shots/, each
 * checked by axe.
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
import { client, randomIp, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { postSync } from "../helpers/sync.ts";
import type { SyncEvent } from "../../services/engine/sync_events.ts";

const SHOTS = "/tmp/shots";

async function photograph(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    // Reduced motion: a figure caught mid-flash would be judged on its flash colour.
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    for (const width of [390, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300); // the chart follows its box's new size on the next frame
      await page.locator("#book-h").scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/terminal_${name}_${scheme}_${width}.png`, fullPage: true });
      // The tables up close: the full page at 390 px is too tall to read at a glance.
      await page.locator('section[aria-labelledby="book-h"]').screenshot({
        path: `${SHOTS}/terminal_${name}_book_${scheme}_${width}.png`,
      });
      await assertFitsWidth(page, width, `${name} is wider than ${width} px`);
      assert.deepEqual(
        await axeViolations(page),
        [],
        `axe · ${scheme} · ${width} px`,
      );
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 900 });
}

Deno.test({
  name: "browser: a demo-sync position appears in the open terminal, read-only and labelled, then its close",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    await Deno.mkdir(SHOTS, { recursive: true });
    const c = client(app);
    const secret = deps.config.syncSecret;
    const quote = () =>
      deps.prices.apply([
        { symbol: "EURUSD", bid: "1.08410", ask: "1.08420", at: Date.now() },
        { symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() },
        { symbol: "USDJPY", bid: "150.000", ask: "150.012", at: Date.now() },
      ]);
    quote();
    const trader = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, trader.userId, {
      at: new Date(Date.now() - 3_600_000),
    });
    const sync = async (events: SyncEvent[]) =>
      assert.equal((await postSync(c, secret, { accountId, events })).status, 200);
    const at = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

    // History before the page opens: a connector's round trip (its first batch makes the account its own).
    await sync([
      {
        id: "gbp-open",
        type: "trade_open",
        at: at(120_000),
        tradeId: "MT5-7001",
        symbol: "GBPUSD",
        direction: "sell",
        volume: "0.50",
        price: "1.27500",
      },
      {
        id: "gbp-close",
        type: "trade_close",
        at: at(90_000),
        tradeId: "MT5-7001",
        price: "1.27300",
        pnl: "96.40",
      },
    ]);
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
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        const outside = page.locator('[data-outside-position="MT5-9001"]');

        await t.step(
          "the terminal opens with the connector's closed trade and the ticket off, saying why",
          async () => {
            await page.goto(`${origin}/trade/${accountId}`);
            const closed = page.locator("[data-closed]");
            await closed.first().waitFor();
            assert.equal(await closed.count(), 1);
            assert.match(await closed.nth(0).innerText(), /GBPUSD\s+Connector\s+↓ Sell\s+0\.50\s+\+\$96\.40/);
            assert.equal(await page.locator("[data-position]").count(), 0);
            const off = page.locator('[data-ticket-off="platform"]');
            assert.match(
              await off.innerText(),
              /This ticket is off for this account\.\s+This account is traded through your platform's connector/,
            );
            for (const name of [/^Buy/, /^Sell/]) {
              assert.equal(await page.getByRole("button", { name }).isDisabled(), true);
            }
            assert.equal(await page.getByLabel("Volume (lots)").isDisabled(), true);
            // Both streams live before the sync, so its change frame reaches this page.
            await page.waitForFunction(() =>
              [...document.querySelectorAll<HTMLElement>("[data-live]")].every((e) =>
                e.dataset.live === "live"
              )
            );
            // The keys do nothing either: no order reaches the venue.
            await page.locator("body").click({ position: { x: 5, y: 5 } });
            await page.keyboard.press("b");
            await page.waitForTimeout(300);
            const [{ n }] = await deps.db.sql<{ n: number }[]>`
              select count(*)::int as n from venue_orders where account_id = ${accountId}`;
            assert.equal(n, 0);
            await page.evaluate(() => (globalThis as unknown as { __same: boolean }).__same = true);
          },
        );

        await t.step(
          "a signed demo-sync opens 1 lot EURUSD: it appears, labelled, without a close",
          async () => {
            const before = await page.locator('[data-figure="equity"]').innerText();
            await sync([
              {
                id: "eur-open",
                type: "trade_open",
                at: at(),
                tradeId: "MT5-9001",
                symbol: "EURUSD",
                direction: "buy",
                volume: "1.00",
                price: "1.08000",
              },
            ]);
            await outside.waitFor({ timeout: 10_000 });
            assert.equal(
              await page.evaluate(() => (globalThis as unknown as { __same?: boolean }).__same),
              true,
            );
            const row = await outside.innerText();
            assert.match(row, /EURUSD\s+Connector\s+↑ Buy\s+1\.00\s+\+\$410\s+1\.08000\s+1\.08410/);
            assert.match(row, /On your platform/);
            assert.equal(await outside.getByRole("button", { name: /^Close/ }).count(), 0);
            assert.match(await page.locator("#book-h").innerText(), /Positions \(1\)/);
            // Equity now carries the connector's +$410 on top of what it was.
            await page.waitForFunction(
              (was) => document.querySelector('[data-figure="equity"]')?.textContent !== was,
              before,
            );
            const cents = (s: string) =>
              Math.round(Number(s.replace(/[^\d.−-]/g, "").replace("−", "-")) * 100);
            assert.equal(
              cents(await page.locator('[data-figure="equity"]').innerText()) - cents(before),
              41_000,
            );
            await photograph(page, "connector");
          },
        );

        await t.step(
          "the chart's grid follows the colour scheme (it stayed near-white in dark)",
          async () => {
            // Pixels of the chart's canvases within 12 of the light theme's line colour (`--color-line`).
            const lightLine = await page.evaluate(() =>
              getComputedStyle(document.documentElement).getPropertyValue("--color-line").trim()
            );
            const lightPixels = () =>
              page.evaluate((hex) => {
                const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
                let n = 0;
                for (const canvas of document.querySelectorAll<HTMLCanvasElement>("[data-symbol] canvas")) {
                  const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
                  for (let i = 0; i < data.length; i += 4) {
                    const near = Math.abs(data[i] - r) <= 12 && Math.abs(data[i + 1] - g) <= 12 &&
                      Math.abs(data[i + 2] - b) <= 12;
                    if (near && data[i + 3] > 200) n++;
                  }
                }
                return n;
              }, lightLine);
            await page.waitForTimeout(300);
            const light = await lightPixels();
            assert.ok(light > 1_000, `the light grid is drawn (${light} px)`);
            await page.emulateMedia({ colorScheme: "dark" });
            await page.waitForTimeout(300);
            const dark = await lightPixels();
            assert.ok(dark < light / 20, `light grid pixels in dark: ${dark} (light: ${light})`);
            await page.emulateMedia({ colorScheme: "light" });
          },
        );

        await t.step("the connector closes it: it leaves the table and heads the closed trades", async () => {
          await sync([
            {
              id: "eur-close",
              type: "trade_close",
              at: at(),
              tradeId: "MT5-9001",
              price: "1.08300",
              pnl: "296.50",
            },
          ]);
          await outside.waitFor({ state: "detached", timeout: 10_000 });
          const newest = page.locator("[data-closed]").first();
          await page.waitForFunction(() =>
            document.querySelector("[data-closed]")?.getAttribute("data-closed") === "MT5-9001"
          );
          assert.match(await newest.innerText(), /EURUSD\s+Connector\s+↑ Buy\s+1\.00\s+\+\$296\.50/);
          assert.equal(
            await page.evaluate(() => (globalThis as unknown as { __same?: boolean }).__same),
            true,
          );
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
