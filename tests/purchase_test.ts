import assert from "node:assert/strict";
import { openTestApp, webhookProviderApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { Db } from "../db/client.ts";
import { RATE_RULES } from "../services/rate_limit/rules.ts";
import type { PurchaseResult } from "../services/commerce/purchase.ts";
import { paymentProvider } from "../services/commerce/payments/provider.ts";
import { ConfigError, loadConfig } from "../services/config.ts";

async function addPlan(db: Db, price = "540.00"): Promise<{ planId: string; versionId: string }> {
  const body = { ...demoPlans().find((p) => p.slug === "one-step-50k")!.body, price };
  const slug = `buy-${crypto.randomUUID().slice(0, 8)}`;
  return await db.tx((tx) => insertPlan(tx, { slug, family: "Purchase Tests", body }));
}

Deno.test("purchase: the demo provider opens the challenge and its phase-1 account at once", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const other = await signUp(app);
    const { planId, versionId } = await addPlan(deps.db);
    const buy = (body: unknown, who = trader) =>
      c.json("POST", "/api/challenges/purchase", body, { bearer: who.accessToken });

    await t.step("anonymous 401; bad planId 422; unknown plan 404", async () => {
      await expectError(await c.json("POST", "/api/challenges/purchase", { planId }), 401, "unauthorized");
      const bad = await expectError(await buy({ planId: "not-a-uuid" }), 422, "unprocessable");
      assert.ok(bad.error.fields!.planId);
      await expectError(await buy({ planId: crypto.randomUUID() }), 404, "not_found");
    });

    let bought: PurchaseResult | null = null;
    await t.step(
      "201 with a paid order, the challenge and an active account at the plan's balance",
      async () => {
        const res = await buy({ planId });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get("content-type"), "application/json");
        bought = await res.json();
        const { order, challengeId, accountId } = bought!;
        assert.ok(challengeId && accountId);
        assert.equal(order.status, "paid");
        assert.equal(order.provider, "demo");
        assert.equal(order.planId, planId);
        assert.equal(order.planVersionId, versionId);
        assert.deepEqual([order.currency, order.listPrice, order.discount, order.amount], [
          "USD",
          "540.00",
          "0.00",
          "540.00",
        ]);
        assert.equal(order.couponCode, null);
        assert.ok(order.paidAt);
        assert.equal(bought!.paymentUrl, null);

        const [account] = await deps.db.sql`
        select user_id, status, type, phase, balance, equity, initial_balance, plan_version_id, challenge_id
        from accounts where id = ${accountId}`;
        assert.deepEqual({ ...account }, {
          user_id: trader.userId,
          status: "active",
          type: "challenge",
          phase: 1,
          balance: "50000.00",
          equity: "50000.00",
          initial_balance: "50000.00",
          plan_version_id: versionId,
          challenge_id: challengeId,
        });
        const [challenge] = await deps.db.sql`
        select status, current_phase, order_id, plan_version_id, started_at from challenges where id = ${challengeId}`;
        assert.deepEqual(
          [challenge.status, challenge.current_phase, challenge.order_id, challenge.plan_version_id],
          ["active", 1, order.id, versionId],
        );
        assert.ok(challenge.started_at instanceof Date);
        const [audit] = await deps.db.sql`
        select actor_id, ip, details from audit_log where action = 'commerce.order_placed' and target_id = ${order.id}`;
        assert.equal(audit.actor_id, trader.userId);
        assert.equal(audit.details.amount, "540.00");
      },
    );

    await t.step("GET /api/users/orders lists the caller's own orders only", async () => {
      const res = await c.json("GET", "/api/users/orders", undefined, { bearer: trader.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { orders } = await res.json();
      assert.equal(orders.length, 1);
      assert.deepEqual(orders[0], {
        ...bought!.order,
        planName: demoPlans().find((p) => p.slug === "one-step-50k")!.body.name,
        challengeId: bought!.challengeId,
      });
      const theirs =
        await (await c.json("GET", "/api/users/orders", undefined, { bearer: other.accessToken })).json();
      assert.deepEqual(theirs.orders, []);
      await expectError(await c.json("GET", "/api/users/orders"), 401);
    });

    await t.step("Idempotency-Key: a retried purchase is the same order; 5 at once buy once", async () => {
      const buyer = await signUp(app);
      const key = `retry-${crypto.randomUUID()}`;
      const send = (body: unknown, k = key) =>
        c.json("POST", "/api/challenges/purchase", body, {
          bearer: buyer.accessToken,
          headers: { "idempotency-key": k },
        });
      const first = await send({ planId });
      assert.equal(first.status, 201);
      const placed: PurchaseResult = await first.json();
      assert.equal(placed.replayed, false);
      const again = await send({ planId });
      assert.equal(again.status, 200);
      assert.equal(again.headers.get("content-type"), "application/json");
      const replay: PurchaseResult = await again.json();
      assert.equal(replay.replayed, true);
      assert.deepEqual(
        [replay.order.id, replay.challengeId, replay.accountId],
        [placed.order.id, placed.challengeId, placed.accountId],
      );

      const burstKey = `burst-${crypto.randomUUID()}`;
      const burst = await Promise.all([1, 2, 3, 4, 5].map(() => send({ planId }, burstKey)));
      const results: PurchaseResult[] = await Promise.all(burst.map((r) => r.json()));
      assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
      assert.equal(new Set(results.map((r) => r.order.id)).size, 1);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from challenges ch join orders o on o.id = ch.order_id
        where o.user_id = ${buyer.userId}`;
      assert.equal(n, 2, "one challenge per key");

      const { planId: otherPlan } = await addPlan(deps.db);
      const reused = await expectError(await send({ planId: otherPlan }), 409, "conflict");
      assert.ok(reused.error.fields!.idempotencyKey);
      const short = await expectError(await send({ planId }, "short"), 422, "unprocessable");
      assert.ok(short.error.fields!.idempotencyKey);
    });

    await t.step(
      `purchases are rate-limited per user (${RATE_RULES.purchase_user.limit} per window)`,
      async () => {
        const buyer = await signUp(app);
        for (let i = 0; i < RATE_RULES.purchase_user.limit; i++) {
          const res = await buy({ planId }, buyer);
          assert.equal(res.status, 201);
          await res.body?.cancel();
        }
        const refused = await buy({ planId }, buyer);
        assert.ok(refused.headers.get("retry-after"));
        await expectError(refused, 429, "rate_limited");
      },
    );
  } finally {
    await close();
  }
});

Deno.test("purchase: with a real provider the order waits for the webhook, unless it is free", async (t) => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const trader = await signUp(app);
    const admin = await makeStaff(deps, "admin");
    const { planId } = await addPlan(deps.db, "99.00");

    await t.step("201 with a pending order and no challenge yet", async () => {
      const res = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { order, challengeId, accountId, paymentUrl } = await res.json();
      assert.deepEqual([order.status, order.provider, order.amount, order.paidAt], [
        "pending",
        "webhook",
        "99.00",
        null,
      ]);
      assert.deepEqual([challengeId, accountId, paymentUrl], [null, null, null]);
      const rows = await deps.db.sql`select 1 from challenges where order_id = ${order.id}`;
      assert.equal(rows.length, 0);
    });

    await t.step("a 100 % coupon makes the order free: paid at once, whatever the provider", async () => {
      const couponCode = `FREE-${crypto.randomUUID().slice(0, 8)}`;
      const made = await c.json("POST", "/api/admin/coupons", {
        code: couponCode,
        kind: "percent",
        value: "100",
      }, {
        bearer: admin.accessToken,
      });
      assert.equal(made.status, 201);
      await made.body?.cancel();
      const res = await c.json("POST", "/api/challenges/purchase", { planId, coupon: couponCode }, {
        bearer: trader.accessToken,
      });
      assert.equal(res.status, 201);
      const { order, challengeId, accountId } = await res.json();
      assert.deepEqual([order.status, order.provider, order.discount, order.amount], [
        "paid",
        "free",
        "99.00",
        "0.00",
      ]);
      assert.ok(challengeId);
      const [account] = await deps.db.sql`select status, balance from accounts where id = ${accountId}`;
      assert.deepEqual({ ...account }, { status: "active", balance: "50000.00" });
    });
  } finally {
    await close();
  }
});

Deno.test("purchase: the demo provider is the default outside production and refused in production", () => {
  const production = {
    APP_ENV: "production",
    JWT_SECRET: "j".repeat(32),
    SYNC_SECRET: "s".repeat(32),
    DATABASE_URL: "postgres://db/app",
    APP_URL: "https://proptrade.example",
    KYC_ENCRYPTION_KEY: "a1".repeat(32),
  };
  assert.equal(loadConfig({}).paymentProvider, "demo");
  assert.equal(loadConfig({ PAYMENT_PROVIDER: "webhook" }).paymentProvider, "webhook");
  const refused = (env: Record<string, string>, message: RegExp) =>
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  refused(
    { ...production, PAYMENT_PROVIDER: "demo" },
    /PAYMENT_PROVIDER: demo is refused when APP_ENV=production/,
  );
  refused(production, /PAYMENT_WEBHOOK_SECRET: required when APP_ENV=production/);
  refused({ PAYMENT_PROVIDER: "stripe" }, /PAYMENT_PROVIDER/);
  const config = loadConfig({ ...production, PAYMENT_WEBHOOK_SECRET: "w".repeat(32) });
  assert.equal(config.paymentProvider, "webhook");
  assert.equal(paymentProvider(config).name, "webhook");
  // Even a config built by hand cannot get the demo provider in production.
  assert.throws(
    () => paymentProvider({ env: "production", paymentProvider: "demo" }),
    /disabled in production/,
  );
});
