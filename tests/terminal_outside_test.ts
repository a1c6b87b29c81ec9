/**
 * The terminal shows what an outside connector did on the account (DESIGN §3.5: a venue trade and a
 * connector's are judged identically, so the trader sees both): its open positions, valued at the venue's
 * quotes and counted in equity, read-only, and closed trades labelled by source. The owner's alone.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync } from "./helpers/sync.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

Deno.test("terminal: a demo-sync position and its close show in the owner's view, labelled, and nobody else's", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const owner = await signUp(app);
    const other = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, owner.userId, {
      at: new Date(Date.now() - 3_600_000),
    });
    const base = `/api/venue/accounts/${accountId}`;
    deps.prices.apply([
      { symbol: "EURUSD", bid: "1.08410", ask: "1.08420", at: Date.now() },
      { symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() },
    ]);
    const view = async (who = owner) => await c.json("GET", base, undefined, { bearer: who.accessToken });

    await t.step(
      "a connector opens 1 lot EURUSD: an outside position, valued at the venue's bid",
      async () => {
        const res = await postSync(c, secret, {
          accountId,
          events: [
            {
              id: "mt-open-1",
              type: "trade_open",
              at: iso(60_000),
              tradeId: "MT5-881",
              symbol: "EURUSD",
              direction: "buy",
              volume: "1.00",
              price: "1.08000",
            },
            { id: "mt-eq-1", type: "equity", at: iso(59_000), equity: "100400.00", balance: "100000.00" },
          ],
        });
        assert.equal(res.status, 200);
        const body = await (await view()).json();
        assert.deepEqual(body.positions, []);
        assert.equal(body.outsideOpen, 1);
        assert.equal(body.outsidePositions.length, 1);
        const [p] = body.outsidePositions;
        assert.deepEqual(
          { ...p, openedAt: undefined },
          {
            tradeId: "MT5-881",
            symbol: "EURUSD",
            direction: "buy",
            volume: "1",
            openPrice: "1.08",
            openedAt: undefined,
            pnl: "410.00", // (1.08410 − 1.08000) × 1 × 100,000
          },
        );
        // Equity counts it (without it the terminal said equity = balance while the connector held a position).
        assert.equal(body.balance, "100000.00");
        assert.equal(body.equity, "100410.00");
      },
    );

    await t.step("another trader gets 404 for the view and the page; the owner's page lists it", async () => {
      const res = await view(other);
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("content-type"), "application/json");
      const cookie = (who: typeof owner) => sessionCookies(false, who).map((x) => x.split(";")[0]).join("; ");
      assert.equal(
        (await c.request(`/trade/${accountId}`, { headers: { cookie: cookie(other) } })).status,
        404,
      );
      const page = await c.request(`/trade/${accountId}`, { headers: { cookie: cookie(owner) } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /data-outside-position="MT5-881"/);
      assert.match(html, /data-source="connector"/);
      // The account strip counts it: equity is not the bare balance.
      assert.match(html, /data-figure="equity">\$100,410</);
    });

    await t.step(
      "a venue position beside it: both count in equity; only the venue's is in `positions`",
      async () => {
        const order = await c.json("POST", `${base}/orders`, {
          symbol: "BTCUSD",
          direction: "buy",
          type: "market",
          volume: "0.10",
        }, { bearer: owner.accessToken, headers: { "idempotency-key": "outside-1" } });
        assert.equal(order.status, 201);
        const body = await (await view()).json();
        assert.equal(body.positions.length, 1);
        assert.deepEqual(body.outsidePositions.map((p: { tradeId: string }) => p.tradeId), ["MT5-881"]);
        const venue = body.positions[0];
        // balance + venue (P&L − commission) + outside P&L, to the cent.
        const cents = (s: string) => Math.round(Number(s) * 100);
        assert.equal(
          cents(body.equity),
          cents(body.balance) + cents(venue.pnl) - cents(venue.commission) + cents("410.00"),
        );
      },
    );

    await t.step(
      "closes: the connector's and a venue partial close are in `closed` with their source",
      async () => {
        const positionId = (await (await view()).json()).positions[0].id;
        const partial = await c.json("POST", `${base}/positions/${positionId}/close`, { volume: "0.04" }, {
          bearer: owner.accessToken,
        });
        assert.equal(partial.status, 200);
        const res = await postSync(c, secret, {
          accountId,
          events: [{
            id: "mt-close-1",
            type: "trade_close",
            at: new Date().toISOString(),
            tradeId: "MT5-881",
            price: "1.08300",
            pnl: "296.50",
          }],
        });
        assert.equal(res.status, 200);
        const body = await (await view()).json();
        assert.equal(body.outsideOpen, 0);
        assert.deepEqual(body.outsidePositions, []);
        assert.equal(body.positions.length, 1, "the venue's remainder stays open");
        assert.deepEqual(
          body.closed.map((x: { source: string; symbol: string; volume: string; pnl: string }) => [
            x.source,
            x.symbol,
            x.volume,
          ]),
          [["connector", "EURUSD", "1"], ["venue", "BTCUSD", "0.04"]],
        );
        assert.equal(body.closed[0].pnl, "296.50");
        assert.equal((await view(other)).status, 404);
      },
    );
  } finally {
    await close();
  }
});
