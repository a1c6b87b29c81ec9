/**
 * The venue's HTTP API: owner only (another trader and staff get the same 404 as an unknown id), the
 * Idempotency-Key on order placement, refusals as 409 with a code, bad input as 422, and the shapes.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";

const START = new Date(Date.now() - 3_600_000);

Deno.test("venue API: owner only, idempotent orders, refusals with codes, partial close, SL/TP", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const owner = await signUp(app);
    const other = await signUp(app);
    const staff = await makeStaff(deps, "admin");
    const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
    const now = Date.now();
    deps.prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: now }]);
    const c = client(app);
    const base = `/api/venue/accounts/${accountId}`;

    for (const who of [other, staff]) {
      const res = await c.json("GET", base, undefined, { bearer: who.accessToken });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal((await res.json()).error.code, "not_found");
      const order = await c.json("POST", `${base}/orders`, {
        symbol: "BTCUSD",
        direction: "buy",
        type: "market",
        volume: "0.10",
      }, {
        bearer: who.accessToken,
        headers: { "idempotency-key": "x" },
      });
      assert.equal(order.status, 404);
      // Not theirs is a 404 even without an Idempotency-Key (which would be a 422 for the owner).
      const keyless = await c.json("POST", `${base}/orders`, {
        symbol: "BTCUSD",
        direction: "buy",
        type: "market",
        volume: "0.10",
      }, { bearer: who.accessToken });
      assert.equal(keyless.status, 404);
    }

    const missingKey = await c.json("POST", `${base}/orders`, {
      symbol: "BTCUSD",
      direction: "buy",
      type: "market",
      volume: "0.10",
    }, { bearer: owner.accessToken });
    assert.equal(missingKey.status, 422);

    const bad = await c.json("POST", `${base}/orders`, {
      symbol: "BTCUSD",
      direction: "up",
      type: "limit",
      volume: "0.001",
    }, {
      bearer: owner.accessToken,
      headers: { "idempotency-key": "bad-1" },
    });
    assert.equal(bad.status, 422);
    const badBody = await bad.json();
    assert.deepEqual(Object.keys(badBody.error.fields).sort(), ["direction", "volume"]);

    const body = { symbol: "BTCUSD", direction: "buy", type: "market", volume: "0.10", sl: "60000.00" };
    const first = await c.json("POST", `${base}/orders`, body, {
      bearer: owner.accessToken,
      headers: { "idempotency-key": "order-1" },
    });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get("content-type"), "application/json");
    const placed = await first.json();
    assert.equal(placed.order.status, "filled");
    assert.equal(placed.order.fillPrice, "65015");
    assert.equal(placed.position.sl, "60000.00");
    const again = await c.json("POST", `${base}/orders`, body, {
      bearer: owner.accessToken,
      headers: { "idempotency-key": "order-1" },
    });
    assert.equal(again.status, 200);
    assert.equal((await again.json()).order.id, placed.order.id);

    const tooBig = await c.json("POST", `${base}/orders`, { ...body, volume: "100", sl: undefined }, {
      bearer: owner.accessToken,
      headers: { "idempotency-key": "order-2" },
    });
    assert.equal(tooBig.status, 409);
    const refusal = await tooBig.json();
    assert.equal(refusal.error.code, "insufficient_margin");
    assert.match(refusal.error.message, /free/);

    const view = await (await c.json("GET", base, undefined, { bearer: owner.accessToken })).json();
    assert.equal(view.accountId, accountId);
    assert.equal(view.positions.length, 1);
    assert.equal(view.positions[0].pnl, "-1.50"); // (65000 − 65015) × 0.10
    assert.equal(view.margin.used, "3250.00"); // 0.10 × 65000 / 2
    assert.deepEqual(view.trading, { allowed: true, code: null, reason: null });

    const positionId = view.positions[0].id;
    const wrongSide = await c.json("PATCH", `${base}/positions/${positionId}`, { sl: "70000.00", tp: null }, {
      bearer: owner.accessToken,
    });
    assert.equal(wrongSide.status, 422);
    const protect = await c.json("PATCH", `${base}/positions/${positionId}`, { sl: null, tp: "70000.00" }, {
      bearer: owner.accessToken,
    });
    assert.equal(protect.status, 200);
    assert.equal((await protect.json()).position.tp, "70000.00");

    deps.prices.apply([{ symbol: "BTCUSD", bid: "65100.00", ask: "65115.00", at: Date.now() }]);
    const partial = await c.json("POST", `${base}/positions/${positionId}/close`, { volume: "0.04" }, {
      bearer: owner.accessToken,
    });
    assert.equal(partial.status, 200);
    assert.deepEqual(await partial.json(), { positionId, volume: "0.04", price: "65100.00", pnl: "3.40" });
    const after = await (await c.json("GET", base, undefined, { bearer: owner.accessToken })).json();
    assert.equal(after.positions[0].volume, "0.06");
    assert.equal(after.balance, "100003.40");

    const limit = await c.json("POST", `${base}/orders`, {
      symbol: "BTCUSD",
      direction: "buy",
      type: "limit",
      volume: "0.10",
      price: "60000.00",
    }, {
      bearer: owner.accessToken,
      headers: { "idempotency-key": "order-3" },
    });
    assert.equal(limit.status, 201);
    const pending = (await limit.json()).order;
    assert.equal(pending.status, "pending");
    const cancel = await c.json("DELETE", `${base}/orders/${pending.id}`, undefined, {
      bearer: owner.accessToken,
    });
    assert.equal(cancel.status, 200);
    assert.equal((await cancel.json()).order.status, "cancelled");
    const twice = await c.json("DELETE", `${base}/orders/${pending.id}`, undefined, {
      bearer: owner.accessToken,
    });
    assert.equal(twice.status, 409);
    void now;
  } finally {
    await close();
  }
});
