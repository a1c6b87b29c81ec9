/**
 * The venue's prices over real PostgreSQL: batched storage (replays are no-ops, bars merge across batches),
 * retention, the signed price webhook, the public price APIs, the tick stream, and the staff instruments
 * screen and API (permissions, inline errors, audit).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import { storedBars, storedQuotes, storedTicks, storeTicks } from "../services/venue/tick_store.ts";
import { prunePrices } from "../services/venue/retention.ts";
import { instrumentBySymbol } from "../services/venue/instruments.ts";
import type { Tick } from "../services/venue/price_book.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

function post(c: TestClient, path: string, cookie: string, fields: Record<string, string>) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { cookie, "sec-fetch-site": "same-origin" },
  });
}

function postPrices(c: TestClient, secret: string, body: unknown, signedAt?: Date, header?: string) {
  const raw = JSON.stringify(body);
  return c.request("/api/venue/prices", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [SYNC_SIGNATURE_HEADER]: header ?? signSync(secret, raw, signedAt),
    },
    body: raw,
  });
}

const tick = (symbol: string, bid: string, ask: string, at: number): Tick => ({ symbol, bid, ask, at });

Deno.test("tick store: a batch is stored once, bars merge across batches, retention prunes", async () => {
  const { deps, close } = await openTestApp();
  try {
    const base = Date.UTC(2030, 0, 2, 10, 0); // a minute boundary
    const first = [
      tick("EURUSD", "1.10010", "1.10018", base + 20_000),
      tick("EURUSD", "1.10050", "1.10058", base + 40_000),
    ];
    assert.equal((await deps.db.tx((tx) => storeTicks(tx, first))).length, 2);
    // Replayed: nothing new, the bar does not count the ticks twice.
    assert.equal((await deps.db.tx((tx) => storeTicks(tx, first))).length, 0);
    // A later batch with an earlier tick of the same minute (new open), a new low and the close.
    const second = [
      tick("EURUSD", "1.10030", "1.10038", base + 5_000),
      tick("EURUSD", "1.09990", "1.09998", base + 50_000),
      tick("EURUSD", "1.10020", "1.10028", base + 59_999),
      tick("EURUSD", "1.10100", "1.10108", base + 60_000),
    ];
    assert.equal((await deps.db.tx((tx) => storeTicks(tx, second))).length, 4);
    const bars = await storedBars(deps.db.sql, {
      symbol: "EURUSD",
      from: base / 1000,
      to: base / 1000 + 60,
      limit: 10,
    });
    assert.deepEqual(bars, [
      { time: base / 1000, open: "1.1003", high: "1.1005", low: "1.0999", close: "1.1002" },
      { time: base / 1000 + 60, open: "1.101", high: "1.101", low: "1.101", close: "1.101" },
    ]);
    const [{ ticks }] = await deps.db
      .sql`select ticks from venue_bars where symbol = 'EURUSD' and minute = ${new Date(base)}`;
    assert.equal(ticks, 5);
    assert.deepEqual(
      (await storedQuotes(deps.db.sql)).find((q) => q.symbol === "EURUSD"),
      tick("EURUSD", "1.101", "1.10108", base + 60_000),
    );
    // `limit` keeps the latest bars, still oldest first.
    assert.deepEqual(
      (await storedBars(deps.db.sql, { symbol: "EURUSD", from: 0, to: base / 1000 + 60, limit: 1 })).map((
        b,
      ) => b.time),
      [base / 1000 + 60],
    );

    // Retention: ticks 24 h, bars 90 days.
    const now = new Date(base + 25 * 3600_000);
    const pruned = await prunePrices(deps.db, now);
    assert.equal(pruned.ticks, 6);
    assert.equal(pruned.bars, 0);
    assert.equal(
      (await storedTicks(deps.db.sql, { symbol: "EURUSD", from: base, to: base + 60_000 })).length,
      0,
    );
    assert.equal((await prunePrices(deps.db, new Date(base + 91 * 86_400_000))).bars, 2);
  } finally {
    await close();
  }
});

Deno.test("price webhook: signed batches are stored and applied; bad, stale and replayed ones are not", async () => {
  const opened = await openTestApp();
  const { deps, close } = opened;
  deps.config = { ...deps.config, priceFeed: { ...deps.config.priceFeed, source: "webhook" } };
  const { createApp } = await import("../fresh.config.ts");
  const { appManifest } = await import("./helpers/app.ts");
  const app = await createApp(deps, { manifest: await appManifest(), dev: false });
  const { followPrices } = await import("../services/venue/feed.ts");
  const unfollow = await followPrices(deps, "venue:ticks", () => {});
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const now = Date.now();
    const batch = {
      ticks: [
        tick("USDJPY", "150.120", "150.132", now - 1000),
        tick("GBPUSD", "1.27001", "1.27013", now - 500),
      ],
    };

    const good = await postPrices(c, secret, batch);
    assert.equal(good.status, 200);
    assert.equal(good.headers.get("content-type"), "application/json");
    assert.deepEqual(await good.json(), { accepted: 2, duplicates: 0 });
    // Every process applies what the bus carries (the in-process bus delivers at once; Redis shortly after).
    for (let i = 0; i < 50 && deps.prices.latest("USDJPY")?.at !== now - 1000; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(deps.prices.latest("USDJPY"), batch.ticks[0]);

    // Replayed (same body, still within the signature window): acknowledged, nothing applied twice.
    const replay = await postPrices(c, secret, batch);
    assert.deepEqual(await replay.json(), { accepted: 0, duplicates: 2 });
    const [{ n }] = await deps.db
      .sql`select count(*)::int as n from venue_ticks where symbol = 'USDJPY' and at = ${new Date(
      now - 1000,
    )}`;
    assert.equal(n, 1);

    // Stale signature, wrong secret, no header, a tampered body.
    await expectError(await postPrices(c, secret, batch, new Date(now - 10 * 60_000)), 401);
    await expectError(await postPrices(c, "x".repeat(64), batch), 401);
    const raw = JSON.stringify(batch);
    const tampered = await c.request("/api/venue/prices", {
      method: "POST",
      headers: { "content-type": "application/json", [SYNC_SIGNATURE_HEADER]: signSync(secret, raw) },
      body: raw.replace("150.120", "140.120"),
    });
    await expectError(tampered, 401);

    // Off the grid, ask below bid, unknown symbol: 422 naming each, nothing stored.
    const bad = await postPrices(c, secret, {
      ticks: [
        tick("EURUSD", "1.100001", "1.10010", now),
        tick("EURUSD", "1.10010", "1.10000", now + 1),
        tick("XXXYYY", "1", "1", now),
      ],
    });
    const body = await expectError(bad, 422);
    assert.match(body.error.fields!["ticks.0.bid"], /tick grid 0.00001/);
    assert.match(body.error.fields!["ticks.1.ask"], /at least the bid/);
    assert.match(body.error.fields!["ticks.2.symbol"], /not an active instrument/);
    assert.equal((await storedTicks(deps.db.sql, { symbol: "EURUSD", from: now, to: now + 1 })).length, 0);

    // With PRICE_FEED other than webhook the endpoint does not exist.
    const simulatedApp = await createApp({
      ...deps,
      config: { ...deps.config, priceFeed: { ...deps.config.priceFeed, source: "simulated" } },
    }, { manifest: await appManifest(), dev: false });
    await expectError(await postPrices(client(simulatedApp), secret, batch), 404);
  } finally {
    await unfollow();
    await close();
  }
});

Deno.test("venue APIs: instruments, quotes, bars with the live minute, and the tick stream", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    await t.step("instruments: the seven seeded ones with realistic specs, open or not", async () => {
      const res = await c.request("/api/venue/instruments");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { instruments } = await res.json();
      const by = Object.fromEntries(instruments.map((i: { symbol: string }) => [i.symbol, i]));
      for (const s of ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US500", "NAS100", "BTCUSD"]) {
        assert.ok(by[s], s);
      }
      assert.equal(by.USDJPY.quoteCurrency, "JPY");
      assert.equal(by.EURUSD.contractSize, "100000");
      assert.equal(by.XAUUSD.contractSize, "100");
      assert.equal(by.EURUSD.leverage, 100);
      assert.equal(by.BTCUSD.leverage, 2);
      assert.equal(by.BTCUSD.hours, "24/7");
      assert.equal(by.BTCUSD.open, true);
      assert.equal(typeof by.EURUSD.open, "boolean");
    });

    const now = Date.now();
    deps.prices.apply([
      tick("EURUSD", "1.20000", "1.20008", now - 2),
      tick("USDJPY", "151.000", "151.012", now - 1),
    ]);

    await t.step("quotes: the book's latest, filtered by symbols", async () => {
      const res = await c.request("/api/venue/quotes?symbols=USDJPY");
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { quotes: [tick("USDJPY", "151.000", "151.012", now - 1)] });
      const all = await (await c.request("/api/venue/quotes")).json();
      assert.ok(all.quotes.length >= 2);
    });

    await t.step("bars: stored bars plus the current minute from memory; bad input is 422/404", async () => {
      const res = await c.request(`/api/venue/bars?symbol=EURUSD&from=${Math.floor(now / 1000) - 3600}`);
      assert.equal(res.status, 200);
      const { symbol, bars } = await res.json();
      assert.equal(symbol, "EURUSD");
      assert.deepEqual(bars.at(-1), {
        time: Math.floor(now / 60_000) * 60,
        open: "1.20000",
        high: "1.20000",
        low: "1.20000",
        close: "1.20000",
      });
      await expectError(await c.request("/api/venue/bars?symbol=eurusd"), 422);
      await expectError(await c.request("/api/venue/bars?symbol=EURUSD&from=200&to=100"), 422);
      await expectError(await c.request("/api/venue/bars?symbol=EURUSD&limit=0"), 422);
      await expectError(await c.request("/api/venue/bars?symbol=ZZZZZZ"), 404);
    });

    await t.step(
      "stream: signed-in only; a snapshot, then coalesced ticks of the asked symbols",
      async () => {
        await expectError(await c.request("/api/venue/stream?symbols=EURUSD"), 401);
        const trader = await signUp(app);
        await expectError(
          await c.json("GET", "/api/venue/stream?symbols=NOPE99", undefined, { bearer: trader.accessToken }),
          422,
        );
        const res = await c.json("GET", "/api/venue/stream?symbols=EURUSD,GBPUSD", undefined, {
          bearer: trader.accessToken,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        const readUntil = async (pattern: RegExp) => {
          while (!pattern.test(text)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
            text += value;
          }
        };
        await readUntil(/event: ticks\ndata: .*\n\n/);
        assert.match(text, /"symbol":"EURUSD","bid":"1.20000"/);
        assert.doesNotMatch(text, /USDJPY/);
        text = "";
        // Three EURUSD ticks in a burst and one of an unrequested symbol: one frame with the newest EURUSD.
        deps.prices.apply([tick("EURUSD", "1.20010", "1.20018", now + 1)]);
        deps.prices.apply([
          tick("EURUSD", "1.20020", "1.20028", now + 2),
          tick("USDJPY", "151.100", "151.112", now + 2),
        ]);
        deps.prices.apply([tick("EURUSD", "1.20030", "1.20038", now + 3)]);
        await readUntil(/event: ticks\ndata: .*\n\n/);
        const frame = JSON.parse(/data: (.*)\n\n/.exec(text)![1]);
        assert.deepEqual(frame, [tick("EURUSD", "1.20030", "1.20038", now + 3)]);
        await reader.cancel();
      },
    );
  } finally {
    await close();
  }
});

Deno.test("instruments back office: admin only, inline errors, audited changes; the API likewise", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const risk = await makeStaff(deps, "risk");
    const trader = await signUp(app);

    await t.step("the screen: admin sees the list; risk and traders the ordinary 404", async () => {
      const res = await c.request("/admin/instruments", { headers: { cookie: cookieFor(admin) } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await res.text();
      for (const s of ["EURUSD", "USDJPY", "BTCUSD"]) assert.ok(html.includes(s), s);
      assert.match(
        html,
        /Sun–Thu 17:05 → 17:00<\/span><span class="block text-xs text-muted">next day · America\/New_York/,
      );
      for (const who of [risk, trader]) {
        const denied = await c.request("/admin/instruments", { headers: { cookie: cookieFor(who) } });
        assert.equal(denied.status, 404);
        await denied.body?.cancel();
      }
    });

    const symbol = `T${crypto.randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase()}`;
    const fields = {
      intent: "create",
      symbol,
      name: "Test instrument",
      contractSize: "10",
      tickSize: "0.05",
      quoteCurrency: "usd",
      spread: "0.12",
      commissionPerLot: "1.50",
      leverage: "20",
      volatility: "0.0001",
      referencePrice: "100.00",
      hoursMode: "sessions",
      timeZone: "Europe/Prague",
      open: "09:00",
      close: "17:30",
      day1: "on",
      day2: "on",
      active: "on",
    };

    await t.step("a bad form comes back with each error beside its field, nothing saved", async () => {
      const res = await post(c, "/admin/instruments", cookieFor(admin), {
        ...fields,
        timeZone: "Mars/Olympus",
        day1: "",
        day2: "",
      });
      assert.equal(res.status, 422);
      const html = await res.text();
      assert.match(html, /Typical spread must be a multiple of the tick size 0.05/);
      assert.match(html, /Time zone must be a time zone such as America\/New_York/);
      assert.match(html, /Days: pick at least one day/);
      assert.equal(await instrumentBySymbol(deps.db.sql, symbol), null);
    });

    await t.step("create and edit through the form, each audited with what changed", async () => {
      const created = await post(c, "/admin/instruments", cookieFor(admin), { ...fields, spread: "0.10" });
      assert.equal(created.status, 303, await created.text());
      assert.equal(created.headers.get("location"), `/admin/instruments?saved=${symbol}`);
      const saved = await instrumentBySymbol(deps.db.sql, symbol);
      assert.equal(saved?.quoteCurrency, "USD");
      assert.deepEqual(saved?.hours, {
        timeZone: "Europe/Prague",
        open: "09:00",
        close: "17:30",
        days: [1, 2],
      });
      const edited = await post(c, "/admin/instruments", cookieFor(admin), {
        ...fields,
        intent: "update",
        spread: "0.25",
        leverage: "10",
        hoursMode: "24/7",
      });
      assert.equal(edited.status, 303, await edited.text());
      const after = await instrumentBySymbol(deps.db.sql, symbol);
      assert.equal(after?.leverage, 10);
      assert.equal(after?.hours, "24/7");
      const audit = await deps.db.sql`
        select action, actor_id, details from audit_log where target_type = 'instrument' and target_id = ${symbol}
        order by at, id`;
      assert.deepEqual(audit.map((r) => r.action), ["admin.instrument_created", "admin.instrument_updated"]);
      assert.equal(audit[1].actor_id, admin.userId);
      assert.deepEqual(Object.keys(audit[1].details.changes).sort(), ["hours", "leverage", "spread"]);
      assert.deepEqual(audit[1].details.changes.leverage, { from: 20, to: 10 });
    });

    await t.step("the API: list for admin, 403/401 for others, PUT validates and audits", async () => {
      const list = await c.json("GET", "/api/admin/instruments", undefined, { bearer: admin.accessToken });
      assert.equal(list.status, 200);
      const { instruments } = await list.json();
      assert.ok(
        instruments.some((i: { symbol: string; referencePrice: string }) =>
          i.symbol === "USDJPY" && i.referencePrice === "150"
        ),
      );
      await expectError(
        await c.json("GET", "/api/admin/instruments", undefined, { bearer: risk.accessToken }),
        403,
      );
      await expectError(await c.json("GET", "/api/admin/instruments"), 401);

      const body = {
        name: "Test instrument",
        contractSize: "10",
        tickSize: "0.05",
        quoteCurrency: "USD",
        spread: "0.10",
        commissionPerLot: "1.50",
        leverage: 30,
        volatility: "0.0001",
        referencePrice: "100.05",
        hours: { timeZone: "Europe/Prague", open: "08:00", close: "22:00", days: [1, 2, 3, 4, 5] },
        active: false,
      };
      const put = await c.json("PUT", `/api/admin/instruments/${symbol}`, body, {
        bearer: admin.accessToken,
      });
      assert.equal(put.status, 200);
      const json = await put.json();
      assert.equal(json.leverage, 30);
      assert.equal(json.active, false);
      assert.equal(json.open, false);
      const bad = await c.json("PUT", `/api/admin/instruments/${symbol}`, {
        ...body,
        leverage: 0,
        hours: { ...body.hours, open: "25:00" },
      }, { bearer: admin.accessToken });
      const err = await expectError(bad, 422);
      assert.ok(err.error.fields!.leverage);
      assert.ok(err.error.fields!["hours.open"]);
      await expectError(
        await c.json("PUT", "/api/admin/instruments/NOSUCH1", body, { bearer: admin.accessToken }),
        404,
        "not_found",
      );
      const dup = await c.json("POST", "/api/admin/instruments", { ...body, symbol }, {
        bearer: admin.accessToken,
      });
      await expectError(dup, 409);
      // Inactive: gone from the traders' list.
      const publicList = await (await c.request("/api/venue/instruments")).json();
      assert.ok(!publicList.instruments.some((i: { symbol: string }) => i.symbol === symbol));
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from audit_log where target_id = ${symbol} and action = 'admin.instrument_updated'`;
      assert.equal(n, 2);
    });
  } finally {
    await close();
  }
});
