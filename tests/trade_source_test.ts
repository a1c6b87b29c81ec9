/**
 * One trade source per account (issue #14; services/accounts/trade_source.ts): the built-in venue or an outside
 * platform's connector, fixed by the first trade. An account fed by both was judged on whichever wrote last
 * (a connector's equity 100,400.00, then one venue fill set the engine's equity to balance + the venue's
 * position only), so the second source is refused: the venue with a `platform` refusal, demo-sync with a 409
 * `account_on_venue`; and a race on a fresh account has exactly one winner.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, errorShapeProblem, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { fillTriggered, placeOrder } from "../services/venue/orders.ts";
import { findOrder } from "../services/venue/book.ts";
import { applySync } from "../services/accounts/sync.ts";
import { VenueRefusal } from "../services/venue/refusals.ts";
import { AccountOnVenue } from "../services/accounts/trade_source.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";

const START = new Date(Date.now() - 3_600_000);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const MARKET = { symbol: "BTCUSD", direction: "buy", type: "market", volume: "0.10" } as const;

Deno.test("trade source: the first trade fixes it; the other source is refused with its reason", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const owner = await signUp(app);
    deps.prices.apply([
      { symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() },
      { symbol: "EURUSD", bid: "1.08410", ask: "1.08420", at: Date.now() },
    ]);
    const source = async (id: string) =>
      (await deps.db.sql<{ trade_source: string | null }[]>`
        select trade_source from accounts where id = ${id}`)[0].trade_source;
    const figures = async (id: string) =>
      (await deps.db.sql<{ balance: string; equity: string; state_version: number }[]>`
        select balance::text, equity::text, state_version from accounts where id = ${id}`)[0];
    const cookie = sessionCookies(false, owner).map((x) => x.split(";")[0]).join("; ");
    // The account page's "Traded on" line (its data attribute and sentence).
    const tradedOn = async (id: string) => {
      const html = await (await c.request(`/dashboard/accounts/${id}`, { headers: { cookie } })).text();
      const m = /data-trade-source="(\w+)"[^>]*>(.*?)<\/p>/s.exec(html);
      return m ? [m[1], m[2].replace(/<[^>]+>/g, "").replace(/\s+/g, " ")] : null;
    };
    const order = (id: string, body: object, key: string) =>
      c.json("POST", `/api/venue/accounts/${id}/orders`, body, {
        bearer: owner.accessToken,
        headers: { "idempotency-key": key },
      });

    await t.step(
      "a connector's first batch makes it the connector's; the venue refuses it, saying why",
      async () => {
        const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
        assert.equal(await source(accountId), null);
        assert.deepEqual(await tradedOn(accountId), [
          "none",
          "Traded on: nothing yet. The first trade decides: the built-in venue or your platform's connector, for good.",
        ]);
        const res = await postSync(c, secret, {
          accountId,
          events: [
            { ...sync.open("MT5-1", iso(60_000)) },
            sync.mark("100400.00", "100000.00", iso(59_000)),
          ],
        });
        assert.equal(res.status, 200);
        assert.equal(await source(accountId), "connector");
        assert.match(
          (await tradedOn(accountId))!.join(" "),
          /^connector Traded on: your platform, through its connector/,
        );
        const before = await figures(accountId);
        for (
          const [key, body] of [["m-1", MARKET], ["l-1", { ...MARKET, type: "limit", price: "60000.00" }]]
        ) {
          const refused = await order(accountId, body as object, key as string);
          assert.equal(refused.status, 409);
          const json = await refused.json();
          assert.equal(errorShapeProblem(json), null);
          assert.equal(json.error.code, "platform");
          assert.match(json.error.message, /traded through your platform's connector/);
        }
        // The connector's figures stand (the bug: one venue fill set equity to balance + the venue's position).
        assert.deepEqual(await figures(accountId), before);
        assert.equal(before.equity, "100400.00");
        const view = await (await c.json("GET", `/api/venue/accounts/${accountId}`, undefined, {
          bearer: owner.accessToken,
        })).json();
        assert.equal(view.tradeSource, "connector");
        assert.equal(view.trading.allowed, false);
        assert.equal(view.trading.code, "platform");
        // The connector goes on trading it.
        const more = await postSync(c, secret, {
          accountId,
          events: [sync.close("MT5-1", "120.00", iso(1_000))],
        });
        assert.equal(more.status, 200);
      },
    );

    await t.step(
      "a venue fill makes it the venue's; demo-sync answers 409 account_on_venue, applies nothing",
      async () => {
        const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
        const placed = await order(accountId, MARKET, "v-1");
        assert.equal(placed.status, 201);
        assert.equal(await source(accountId), "venue");
        assert.deepEqual(await tradedOn(accountId), [
          "venue",
          "Traded on: the built-in venue (the terminal's order ticket).",
        ]);
        const before = await figures(accountId);
        const open = sync.open("MT5-2", iso(30_000));
        const res = await postSync(c, secret, {
          accountId,
          events: [open, sync.mark("100400.00", "100000.00", iso(29_000))],
        });
        assert.equal(res.status, 409);
        assert.equal(res.headers.get("content-type"), "application/json");
        const body = await res.json();
        assert.equal(errorShapeProblem(body), null);
        assert.equal(body.error.code, "account_on_venue");
        assert.match(body.error.message, /built-in venue/);
        assert.deepEqual(Object.keys(body.error.fields), ["accountId"]);
        assert.deepEqual(await figures(accountId), before);
        const [{ n }] = await deps.db.sql<{ n: number }[]>`
        select count(*)::int as n from account_events where account_id = ${accountId} and event_id = ${open.id}`;
        assert.equal(n, 0);
        // The venue goes on trading it.
        assert.equal((await order(accountId, MARKET, "v-2")).status, 201);
      },
    );

    await t.step("a pending order does not claim the account; its triggered fill does", async () => {
      const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
      const placed = await order(accountId, { ...MARKET, type: "limit", price: "64000.00" }, "p-1");
      assert.equal(placed.status, 201);
      assert.equal(await source(accountId), null);
      const pending = (await findOrder(deps.db.sql, accountId, (await placed.json()).order.id))!;
      const tick = { symbol: "BTCUSD", bid: "63990.00", ask: "63999.00", at: Date.now() };
      deps.prices.apply([tick]);
      await fillTriggered(deps, pending, deps.prices, tick);
      assert.equal((await findOrder(deps.db.sql, accountId, pending.id))!.status, "filled");
      assert.equal(await source(accountId), "venue");
    });

    await t.step(
      "a pending order on an account a connector then claims is rejected with the reason",
      async () => {
        const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
        deps.prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() }]);
        const placed = await order(accountId, { ...MARKET, type: "limit", price: "64000.00" }, "p-2");
        assert.equal(placed.status, 201);
        const res = await postSync(c, secret, { accountId, events: [sync.open("MT5-3", iso(10_000))] });
        assert.equal(res.status, 200);
        const pending = (await findOrder(deps.db.sql, accountId, (await placed.json()).order.id))!;
        const tick = { symbol: "BTCUSD", bid: "63990.00", ask: "63999.00", at: Date.now() };
        deps.prices.apply([tick]);
        await fillTriggered(deps, pending, deps.prices, tick);
        const after = (await findOrder(deps.db.sql, accountId, pending.id))!;
        assert.equal(after.status, "rejected");
        assert.match(after.reason ?? "", /^platform: /);
        assert.equal(await source(accountId), "connector");
      },
    );
  } finally {
    await close();
  }
});

Deno.test("trade source: a venue fill and a sync racing on fresh accounts — exactly one wins each", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const owner = await signUp(app);
    deps.prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() }]);
    const winners = { venue: 0, connector: 0 };
    for (let round = 0; round < 12; round++) {
      const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
      const events = [sync.open(`R-${round}`, iso(5_000)), sync.mark("100050.00", "100000.00", iso(4_000))];
      // Alternate who starts first, so both orders of arrival are tried.
      const venue = () => placeOrder(deps, owner.userId, accountId, MARKET, `race-${round}`);
      const connector = () => applySync(deps, accountId, events);
      const [v, s] = round % 2 === 0
        ? await Promise.allSettled([venue(), connector()])
        : await Promise.allSettled([connector(), venue()]).then(([a, b]) => [b, a] as const);
      const won = [v, s].filter((r) => r.status === "fulfilled").length;
      assert.equal(won, 1, `round ${round}: ${v.status} / ${s.status}`);
      const [row] = await deps.db.sql<{ trade_source: string; positions: number; events: number }[]>`
        select trade_source,
          (select count(*)::int from venue_positions p where p.account_id = a.id) as positions,
          (select count(*)::int from account_events e where e.account_id = a.id and e.event_id = any(${
        events.map((e) => e.id)
      })) as events
        from accounts a where a.id = ${accountId}`;
      if (v.status === "fulfilled") {
        assert.ok(s.status === "rejected" && s.reason instanceof AccountOnVenue, String(s));
        assert.deepEqual(row, { trade_source: "venue", positions: 1, events: 0 });
        winners.venue++;
      } else {
        assert.ok(v.reason instanceof VenueRefusal && v.reason.refusal === "platform", String(v.reason));
        assert.deepEqual(row, { trade_source: "connector", positions: 0, events: 2 });
        winners.connector++;
      }
    }
    console.log(`race winners: ${JSON.stringify(winners)}`);
  } finally {
    await close();
  }
});
