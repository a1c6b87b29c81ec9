/**
 * The terminal shows what an outside connector did on the account: its open positions, valued at the venue's
 * quotes and counted in equity, read-only, and closed trades labelled by source; and, since an account has
 * one trade source (services/accounts/trade_source.ts), why its order ticket is off. The owner's alone.
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
    const view = async (who = owner, path = base) =>
      await c.json("GET", path, undefined, { bearer: who.accessToken });
    const cookie = (who: typeof owner) => sessionCookies(false, who).map((x) => x.split(";")[0]).join("; ");

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
      // The profit target's condition, not a claim about now (it read "all positions closed (1 open)").
      assert.match(html, /with no position open \(1 open now\)\./);
      assert.doesNotMatch(html, /all positions closed/);
    });

    await t.step(
      "the venue cannot trade it: an order is refused (platform), the view and the page's ticket say why",
      async () => {
        const order = await c.json("POST", `${base}/orders`, {
          symbol: "BTCUSD",
          direction: "buy",
          type: "market",
          volume: "0.10",
        }, { bearer: owner.accessToken, headers: { "idempotency-key": "outside-1" } });
        assert.equal(order.status, 409);
        const refusal = (await order.json()).error;
        assert.equal(refusal.code, "platform");
        assert.match(refusal.message, /traded through your platform's connector/);
        const body = await (await view()).json();
        assert.equal(body.tradeSource, "connector");
        assert.deepEqual(body.trading, { allowed: false, code: "platform", reason: refusal.message });
        assert.deepEqual(body.positions, []);
        // The refused order changed nothing: equity is still balance + the connector's floating P&L.
        assert.equal(body.equity, "100410.00");
        const page = await (await c.request(`/trade/${accountId}`, { headers: { cookie: cookie(owner) } }))
          .text();
        assert.match(page, /data-ticket-off="platform"/);
        assert.match(page, /This ticket is off for this account\./);
        assert.match(page, /<fieldset disabled aria-describedby="ticket-off"/);
      },
    );

    await t.step("the connector's close heads the closed trades, labelled by its source", async () => {
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
      assert.deepEqual(
        body.closed.map((x: { source: string; symbol: string; volume: string; pnl: string }) => [
          x.source,
          x.symbol,
          x.volume,
          x.pnl,
        ]),
        [["connector", "EURUSD", "1", "296.50"]],
      );
      assert.equal((await view(other)).status, 404);
    });

    await t.step(
      "on a venue account, a partial close is in `closed` with the venue as its source",
      async () => {
        const venue = await openTestAccount(deps.db, owner.userId, { at: new Date(Date.now() - 3_600_000) });
        const vbase = `/api/venue/accounts/${venue.accountId}`;
        const order = await c.json("POST", `${vbase}/orders`, {
          symbol: "BTCUSD",
          direction: "buy",
          type: "market",
          volume: "0.10",
        }, { bearer: owner.accessToken, headers: { "idempotency-key": "venue-1" } });
        assert.equal(order.status, 201);
        const positionId = (await order.json()).position.id;
        const partial = await c.json("POST", `${vbase}/positions/${positionId}/close`, { volume: "0.04" }, {
          bearer: owner.accessToken,
        });
        assert.equal(partial.status, 200);
        const body = await (await view(owner, vbase)).json();
        assert.equal(body.tradeSource, "venue");
        assert.equal(body.trading.allowed, true);
        assert.equal(body.positions.length, 1, "the remainder stays open");
        assert.deepEqual(
          body.closed.map((
            x: { source: string; symbol: string; volume: string },
          ) => [x.source, x.symbol, x.volume]),
          [["venue", "BTCUSD", "0.04"]],
        );
      },
    );
  } finally {
    await close();
  }
});
