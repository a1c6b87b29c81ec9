/**
 * The terminal relies on its streams: with a position open and the venue marking it at every tick (a change
 * frame a second or more), the page does not refetch the venue account and the overview at each frame. When
 * the user stream drops it falls back to polling the venue account, and when the stream comes back it
 * catches up at once: an order placed meanwhile (here through the API, as another tab would) shows up.
 */
import assert from "node:assert/strict";
import { openTestApp } from "../helpers/app.ts";
import { fromAddress, launchBrowser, noBrowser, sessionCookiesFor, withServer } from "../helpers/browser.ts";
import { client, randomIp, signUp } from "../helpers/client.ts";
import { openTestAccount } from "../helpers/accounts.ts";
import { VenueMarker } from "../../services/venue/marker.ts";

Deno.test({
  name: "browser: the terminal follows its streams, polls only while the user stream is down",
  ignore: noBrowser,
  async fn(t) {
    const { app, deps, close } = await openTestApp();
    const trader = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, trader.userId, {
      at: new Date(Date.now() - 3_600_000),
    });
    // BTCUSD trades 24/7: the test does not depend on when it runs.
    let bid = 65_000;
    const quote = () => {
      const at = Date.now();
      deps.prices.apply([
        { symbol: "BTCUSD", bid: bid.toFixed(2), ask: (bid + 15).toFixed(2), at },
        { symbol: "USDJPY", bid: "150.000", ask: "150.012", at },
      ]);
    };
    quote();
    const c = client(app);
    const order = async (key: string) => {
      const res = await c.json("POST", `/api/venue/accounts/${accountId}/orders`, {
        symbol: "BTCUSD",
        direction: "buy",
        type: "market",
        volume: "0.10",
      }, { bearer: trader.accessToken, headers: { "idempotency-key": key } });
      assert.equal(res.status, 201, await res.clone().text());
    };
    await order("first");
    // The venue's marker, as the cluster leader runs it: a change frame per second (flush) and at each new
    // high of equity (written at once).
    const marker = new VenueMarker(deps, { flushMs: 1_000 });
    await marker.start();
    // Prices rising by a dollar every 250 ms: every tick is a new equity high.
    const ticking = setInterval(() => {
      bid += 1;
      quote();
    }, 250);
    // The user stream can be cut (its open responses fail) and refused (503) while `down`, as a proxy or a
    // network would: the page sees an error and reconnects on its own.
    const serve = fromAddress(app, randomIp());
    let down = false;
    const open = new Set<() => void>();
    const handler: typeof serve = async (req, info) => {
      if (new URL(req.url).pathname !== "/api/users/stream") return await serve(req, info);
      if (down) return new Response("down", { status: 503 });
      const res = await serve(req, info);
      const reader = res.body!.getReader();
      let cut = () => {};
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          cut = () => {
            controller.error(new Error("cut"));
            void reader.cancel();
          };
          open.add(cut);
        },
        async pull(controller) {
          const next = await reader.read();
          if (next.done) {
            open.delete(cut);
            controller.close();
          } else controller.enqueue(next.value);
        },
        cancel(reason) {
          open.delete(cut);
          return reader.cancel(reason);
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const browser = await launchBrowser();
    try {
      await withServer(handler, async (origin) => {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies(sessionCookiesFor(trader, origin));
        const page = await context.newPage();
        const counts = { venue: 0, overview: 0 };
        page.on("request", (req) => {
          const path = new URL(req.url()).pathname;
          if (path === `/api/venue/accounts/${accountId}`) counts.venue++;
          if (path === `/api/accounts/${accountId}/overview`) counts.overview++;
        });
        await page.goto(`${origin}/trade/${accountId}`);
        await page.locator("[data-position]").first().waitFor();
        await page.waitForFunction(() =>
          [...document.querySelectorAll<HTMLElement>("[data-live]")].every((e) => e.dataset.live === "live")
        );

        await t.step("streams open, frames flowing: no refetch per frame", async () => {
          const before = { ...counts };
          const since = Date.now();
          const changes = await deps.db.sql<{ n: number }[]>`
            select count(*)::int as n from account_changes where account_id = ${accountId}`;
          await page.waitForTimeout(5_000);
          const after = await deps.db.sql<{ n: number }[]>`
            select count(*)::int as n from account_changes where account_id = ${accountId}`;
          const seconds = (Date.now() - since) / 1000;
          const made = after[0].n - changes[0].n;
          const venue = counts.venue - before.venue;
          const overview = counts.overview - before.overview;
          console.log(
            `${made} changes in ${seconds.toFixed(1)} s: ${venue} venue reads, ${overview} overviews`,
          );
          assert.ok(made >= 5, `the marker made changes (${made})`);
          assert.ok(venue <= 1, `venue account read ${venue} times in ${seconds.toFixed(1)} s`);
          assert.ok(overview <= 2, `overview read ${overview} times in ${seconds.toFixed(1)} s`);
        });

        await t.step(
          "stream down: the venue account is polled, and an order placed meanwhile shows",
          async () => {
            down = true;
            const refused = page.waitForResponse((r) =>
              new URL(r.url()).pathname === "/api/users/stream" && r.status() === 503
            );
            for (const cut of [...open]) cut();
            await refused; // the page tried to reconnect, and was refused
            await order("while-down");
            await page.locator("[data-position]").nth(1).waitFor({ timeout: 15_000 });
            assert.equal(await page.locator("[data-position]").count(), 2);
          },
        );

        await t.step("stream back: live again, and the terminal catches up at once", async () => {
          await order("while-coming-back");
          down = false;
          await page.waitForFunction(
            () =>
              [...document.querySelectorAll<HTMLElement>("[data-live]")].every((e) =>
                e.dataset.live === "live"
              ),
            undefined,
            { timeout: 40_000 },
          );
          await page.locator("[data-position]").nth(2).waitFor({ timeout: 5_000 });
          // Polling stopped with the stream back.
          const before = counts.venue;
          await page.waitForTimeout(4_000);
          assert.ok(
            counts.venue - before <= 1,
            `venue account read ${counts.venue - before} times once live`,
          );
        });
        await context.close();
      });
    } finally {
      clearInterval(ticking);
      await browser.close();
      await marker.stop();
      await close();
    }
  },
});
