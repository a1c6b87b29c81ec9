/**
 * The platform a connector names (services/accounts/trade_platform.ts): demo-sync's optional `platform`
 * ({name, version?}) is stored with the account's trade source when the first batch claims it, its version
 * follows the connector, another platform's batch is refused, a bad value is a 422 — and the trader's account
 * page and dashboard, the account APIs and the back office name it, escaped (it is connector-supplied text).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { cookieFor, HTML } from "./helpers/staff_pages.ts";

const START = new Date(Date.now() - 3_600_000);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const JSON_TYPE = "application/json";
/** A name a connector may send that would be markup if it were not escaped (all printable). */
const HOSTILE = `Meta<Trader> "5" & <img src=x onerror=alert(1)>`;

Deno.test("trade platform: demo-sync stores it with the source; pages and APIs name it, escaped", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  const sql = deps.db.sql;
  try {
    const owner = await signUp(app);
    const cookie = cookieFor(owner);
    const stored = async (id: string) =>
      (await sql<{ trade_source: string | null; trade_platform: string | null; version: string | null }[]>`
        select trade_source, trade_platform, trade_platform_version as version from accounts where id = ${id}`)[
        0
      ];
    const figures = async (id: string) =>
      (await sql<{ balance: string; equity: string; state_version: number }[]>`
        select balance::text, equity::text, state_version from accounts where id = ${id}`)[0];
    const send = (accountId: string, platform: unknown, ...events: unknown[]) =>
      postSync(c, secret, platform === undefined ? { accountId, events } : { accountId, events, platform });
    const ok = async (res: Response) => {
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const body = await res.json();
      assert.ok(body.accepted + body.duplicates + body.late >= 1);
      return body;
    };

    const mt5 = (await openTestAccount(deps.db, owner.userId, { at: START })).accountId;
    const legacy = (await openTestAccount(deps.db, owner.userId, { at: START })).accountId;

    await t.step("the first batch claims the account and stores the platform in the same write", async () => {
      assert.deepEqual(await stored(mt5), { trade_source: null, trade_platform: null, version: null });
      await ok(
        await send(mt5, { name: " MetaTrader 5 ", version: "5.0.4200" }, sync.open("P-1", iso(60_000))),
      );
      assert.deepEqual(await stored(mt5), {
        trade_source: "connector",
        trade_platform: "MetaTrader 5",
        version: "5.0.4200",
      });
    });

    await t.step("a batch without it, or naming the same version, changes nothing", async () => {
      await ok(await send(mt5, undefined, sync.mark("100100.00", "100000.00", iso(50_000))));
      // The same platform in another case and no version: the stored spelling and version stay.
      await ok(await send(mt5, { name: "metatrader 5" }, sync.mark("100150.00", "100000.00", iso(49_000))));
      await ok(
        await send(
          mt5,
          { name: "MetaTrader 5", version: "5.0.4200" },
          sync.mark("100200.00", "100000.00", iso(48_000)),
        ),
      );
      assert.deepEqual(await stored(mt5), {
        trade_source: "connector",
        trade_platform: "MetaTrader 5",
        version: "5.0.4200",
      });
    });

    await t.step(
      "a new version replaces the stored one (also from the one-statement path's cache)",
      async () => {
        // The batch before went the two-statement way and was remembered (sync_cache.ts): this one starts from
        // the cache, sees a version to write, and takes the transaction.
        await ok(await send(mt5, undefined, sync.mark("100210.00", "100000.00", iso(47_000))));
        const body = await ok(
          await send(
            mt5,
            { name: "MetaTrader 5", version: "5.0.4300" },
            sync.mark("100220.00", "100000.00", iso(46_000)),
          ),
        );
        assert.equal(body.accepted, 1);
        assert.equal((await stored(mt5)).version, "5.0.4300");
        // Duplicates only: still a batch from the account's connector, so its version is taken.
        const dup = sync.mark("100230.00", "100000.00", iso(45_000));
        await ok(await send(mt5, undefined, dup));
        const again = await ok(await send(mt5, { name: "MetaTrader 5", version: "5.0.4301" }, dup));
        assert.equal(again.duplicates, 1);
        assert.equal((await stored(mt5)).version, "5.0.4301");
      },
    );

    await t.step("another platform's batch: 409 account_on_other_platform, nothing applied", async () => {
      // Remembered by the cache first, so the refusal is also the one the cached path comes to.
      await ok(await send(mt5, undefined, sync.mark("100240.00", "100000.00", iso(44_000))));
      const before = await figures(mt5);
      const open = sync.open("P-2", iso(43_000));
      const body = await expectError(
        await send(mt5, { name: "cTrader", version: "5.0.4301" }, open),
        409,
        "account_on_other_platform",
      );
      assert.match(body.error.message, /traded on MetaTrader 5/);
      assert.deepEqual(Object.keys(body.error.fields ?? {}), ["platform.name"]);
      assert.deepEqual(await figures(mt5), before);
      const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::int as n from account_events where account_id = ${mt5} and event_id = ${open.id}`;
      assert.equal(n, 0);
      assert.equal((await stored(mt5)).trade_platform, "MetaTrader 5");
    });

    await t.step("bad values are a 422 naming the field; nothing is applied or stored", async () => {
      const fresh = (await openTestAccount(deps.db, owner.userId, { at: START })).accountId;
      const before = await figures(fresh);
      const cases: [unknown, string][] = [
        [{ name: "" }, "platform.name"],
        [{ name: "x".repeat(65) }, "platform.name"],
        [{ name: "MT5\u0007" }, "platform.name"],
        [{ name: "MT5\r\nX-Injected: 1" }, "platform.name"],
        [{ name: "MT5\u202Eevil" }, "platform.name"],
        [{ name: "MT5", version: "v".repeat(33) }, "platform.version"],
        [{ name: "MT5", version: 5 }, "platform.version"],
        [{ name: "MT5", vendor: "x" }, "platform"],
        ["MetaTrader 5", "platform"],
      ];
      for (const [platform, field] of cases) {
        const res = await send(fresh, platform, sync.open("P-9", iso(30_000)));
        const body = await expectError(res, 422, undefined, JSON.stringify(platform));
        assert.ok(Object.keys(body.error.fields ?? {}).includes(field), JSON.stringify(body));
      }
      assert.deepEqual(await stored(fresh), { trade_source: null, trade_platform: null, version: null });
      assert.deepEqual(await figures(fresh), before);
    });

    await t.step("a connector that named nothing before names it later: it is recorded then", async () => {
      await ok(await send(legacy, undefined, sync.open("L-1", iso(40_000))));
      assert.deepEqual(await stored(legacy), {
        trade_source: "connector",
        trade_platform: null,
        version: null,
      });
      await ok(await send(legacy, { name: HOSTILE }, sync.mark("100050.00", "100000.00", iso(39_000))));
      assert.deepEqual(await stored(legacy), {
        trade_source: "connector",
        trade_platform: HOSTILE,
        version: null,
      });
    });

    await t.step(
      "a venue's account: 409 account_on_venue; the platform is not stored, the source stays",
      async () => {
        const venue = (await openTestAccount(deps.db, owner.userId, { at: START })).accountId;
        deps.prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() }]);
        const placed = await c.json("POST", `/api/venue/accounts/${venue}/orders`, {
          symbol: "BTCUSD",
          direction: "buy",
          type: "market",
          volume: "0.10",
        }, { bearer: owner.accessToken, headers: { "idempotency-key": crypto.randomUUID() } });
        assert.equal(placed.status, 201);
        await expectError(
          await send(venue, { name: "MetaTrader 5" }, sync.open("V-1", iso(20_000))),
          409,
          "account_on_venue",
        );
        assert.deepEqual(await stored(venue), { trade_source: "venue", trade_platform: null, version: null });
        // The database refuses a platform on a venue's account too (migration 035).
        await assert.rejects(
          sql`update accounts set trade_platform = 'MetaTrader 5' where id = ${venue}`,
          /accounts_trade_platform_source/,
        );
      },
    );

    await t.step("GET /api/users/accounts and /api/venue/accounts/:id carry tradePlatform", async () => {
      const res = await c.json("GET", "/api/users/accounts", undefined, { bearer: owner.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      const { accounts } = await res.json();
      const of = new Map(accounts.map((a: { id: string }) => [a.id, a]));
      assert.deepEqual((of.get(mt5) as Record<string, unknown>).tradePlatform, {
        name: "MetaTrader 5",
        version: "5.0.4301",
      });
      assert.equal((of.get(mt5) as Record<string, unknown>).tradeSource, "connector");
      assert.deepEqual((of.get(legacy) as Record<string, unknown>).tradePlatform, {
        name: HOSTILE,
        version: null,
      });
      const view = await c.json("GET", `/api/venue/accounts/${mt5}`, undefined, {
        bearer: owner.accessToken,
      });
      assert.equal(view.status, 200);
      assert.equal(view.headers.get("content-type"), JSON_TYPE);
      const json = await view.json();
      assert.equal(json.tradeSource, "connector");
      assert.deepEqual(json.tradePlatform, { name: "MetaTrader 5", version: "5.0.4301" });
    });

    await t.step("the OpenAPI document describes `platform` and `tradePlatform`", async () => {
      const res = await app.request("/api/openapi.json");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const doc = await res.json();
      const sync = JSON.stringify(doc.paths["/api/trading/demo-sync"].post);
      assert.match(sync, /"platform":\{[^]*"name":\{[^]*"maxLength":64/);
      assert.match(sync, /account_on_other_platform/);
      assert.match(JSON.stringify(doc.paths["/api/users/accounts"].get), /"tradePlatform"/);
      assert.match(JSON.stringify(doc.paths["/api/venue/accounts/{id}"].get), /"tradePlatform"/);
    });

    await t.step("the account page and the dashboard name it, escaped", async () => {
      const page = await c.request(`/dashboard/accounts/${mt5}`, { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("content-type"), HTML);
      const line = /data-trade-source="connector"[^>]*>(.*?)<\/p>/s.exec(await page.text())?.[1] ?? "";
      assert.equal(
        line.replace(/<[^>]+>/g, "").replace(/\s+/g, " "),
        "Traded on: MetaTrader 5 (version 5.0.4301), through its connector. The terminal shows its positions, read-only.",
      );
      const hostile = await (await c.request(`/dashboard/accounts/${legacy}`, { headers: { cookie } }))
        .text();
      assert.ok(!hostile.includes("<img src=x"), "the platform name reached the page as markup");
      assert.match(
        hostile,
        /data-platform(="[^"]*")?>Meta&lt;Trader(&gt;|>) (&quot;|")5(&quot;|") &amp; &lt;img src=x/,
      );
      const dashboard = await (await c.request("/dashboard", { headers: { cookie } })).text();
      assert.ok(!dashboard.includes("<img src=x"), "the platform name reached the dashboard as markup");
      assert.match(dashboard, /MetaTrader 5/);
    });

    await t.step("the back office's account and trader views name it, escaped", async () => {
      const support = cookieFor(await makeStaff(deps, "support"));
      for (const path of [`/admin/accounts/${mt5}`, `/admin/users/${owner.userId}`]) {
        const res = await c.request(path, { headers: { cookie: support } });
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.match(html, /data-platform(="[^"]*")?>MetaTrader 5<\/span>/, path);
        assert.match(html, /5\.0\.4301/, path);
      }
      const users = await (await c.request(`/admin/users/${owner.userId}`, { headers: { cookie: support } }))
        .text();
      assert.ok(!users.includes("<img src=x"), "the platform name reached the back office as markup");
      assert.match(users, /Meta&lt;Trader/);
      const legacyPage =
        await (await c.request(`/admin/accounts/${legacy}`, { headers: { cookie: support } }))
          .text();
      assert.ok(!legacyPage.includes("<img src=x"));
      assert.match(legacyPage, /Meta&lt;Trader.*, through its connector/s);
    });
  } finally {
    await close();
  }
});
