/**
 * Coupon limits with a payment provider that confirms later (the production set-up): a use is held from the
 * moment an order is placed until the order is paid, and given back when it lapses unpaid or fails.
 */
import assert from "node:assert/strict";
import { openTestApp, webhookProviderApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { signatureHeader } from "../services/commerce/payments/signature.ts";
import { expireDueOrders, PAYMENT_WINDOW_MS, startOrderExpiry } from "../services/commerce/expiry.ts";
import type { OrderSummary } from "../services/commerce/purchase.ts";

Deno.test("coupon limits hold with the webhook provider: uses are reserved at order time", async (t) => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const secret = deps.config.paymentWebhookSecret!;
    const admin = await makeStaff(deps, "admin");
    const body = { ...demoPlans().find((p) => p.slug === "two-step-100k")!.body, price: "200.00" };
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `hold-${crypto.randomUUID().slice(0, 8)}`, family: "Coupon Holds", body })
    );

    const coupon = async (limits: { maxRedemptions?: number; maxPerUser?: number }) => {
      const code = `HOLD-${crypto.randomUUID().slice(0, 8)}`;
      const res = await c.json("POST", "/api/admin/coupons", {
        code,
        kind: "percent",
        value: "25",
        ...limits,
      }, { bearer: admin.accessToken });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as { id: string; code: string };
    };
    const buy = (who: { accessToken: string }, code: string) =>
      c.json("POST", "/api/challenges/purchase", { planId, coupon: code }, { bearer: who.accessToken });
    const pay = async (
      order: OrderSummary,
      type = "payment.succeeded",
      eventId = `evt_${crypto.randomUUID()}`,
    ) => {
      const raw = JSON.stringify({
        id: eventId,
        type,
        data: {
          orderId: order.id,
          amount: order.amount,
          currency: order.currency,
          providerRef: `pi_${order.id}`,
        },
      });
      const res = await c.request("/api/payments/webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "payment-signature": await signatureHeader(secret, raw, Math.floor(Date.now() / 1000)),
        },
        body: raw,
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()).outcome as {
        result: string;
        orderStatus: string;
        challengeId: string | null;
      };
    };
    const placed = async (couponId: string) =>
      (await deps.db.sql`select count(*)::int as n from orders where coupon_id = ${couponId}`)[0].n;
    /** Moves an order's payment window into the past, as if its buyer had walked away. */
    const lapse = async (orderId: string) =>
      await deps.db.sql`update orders set expires_at = now() - interval '1 second' where id = ${orderId}`;

    await t.step("limit 2, 6 buyers one after another: 2 orders, then 409 coupon_exhausted", async () => {
      const limited = await coupon({ maxRedemptions: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await buy(await signUp(app), limited.code);
        statuses.push(res.status);
        if (res.status === 409) {
          assert.equal(res.headers.get("content-type"), "application/json");
          const { error } = await expectError(res, 409, "coupon_exhausted");
          assert.match(error.message, /used up/);
          assert.equal(error.fields?.coupon, "has been used up");
        } else {
          const { order } = await res.json();
          assert.equal(order.status, "pending");
        }
      }
      assert.deepEqual(statuses, [201, 201, 409, 409, 409, 409]);
      assert.equal(await placed(limited.id), 2);
    });

    await t.step("limit 5, 20 buyers at once: exactly 5 orders", async () => {
      const limited = await coupon({ maxRedemptions: 5 });
      const buyers = await Promise.all(Array.from({ length: 20 }, () => signUp(app)));
      const responses = await Promise.all(buyers.map((b) => buy(b, limited.code)));
      const statuses = responses.map((r) => r.status).toSorted();
      await Promise.all(responses.map((r) => r.body?.cancel()));
      assert.deepEqual(statuses, [...Array(5).fill(201), ...Array(15).fill(409)]);
      assert.equal(await placed(limited.id), 5);
    });

    await t.step(
      "per-user limit: a second order by the same buyer is 409 while the first is unpaid",
      async () => {
        const once = await coupon({ maxPerUser: 1 });
        const buyer = await signUp(app);
        assert.equal((await buy(buyer, once.code)).status, 201);
        const { error } = await expectError(await buy(buyer, once.code), 409, "coupon_exhausted");
        assert.ok(error.fields?.coupon);
        assert.equal((await buy(await signUp(app), once.code)).status, 201, "another buyer may use it");
      },
    );

    await t.step(
      "an order left unpaid past its expiry gives its use back; the sweep marks it expired",
      async () => {
        const single = await coupon({ maxRedemptions: 1 });
        const first = (await (await buy(await signUp(app), single.code)).json()).order as OrderSummary;
        await expectError(await buy(await signUp(app), single.code), 409, "coupon_exhausted");
        await lapse(first.id);
        // Before any sweep: the lapsed hold no longer counts.
        const next = await buy(await signUp(app), single.code);
        assert.equal(next.status, 201);
        await next.body?.cancel();
        assert.ok(await expireDueOrders(deps.db, new Date()) >= 1);
        const [row] = await deps.db.sql`select status from orders where id = ${first.id}`;
        assert.equal(row.status, "expired");
      },
    );

    await t.step("a failed payment gives the use back", async () => {
      const single = await coupon({ maxRedemptions: 1 });
      const first = (await (await buy(await signUp(app), single.code)).json()).order as OrderSummary;
      assert.equal((await pay(first, "payment.failed")).result, "payment_failed");
      const next = await buy(await signUp(app), single.code);
      assert.equal(next.status, 201);
      await next.body?.cancel();
    });

    await t.step("a late payment is honoured when a use is still free", async () => {
      const single = await coupon({ maxRedemptions: 1 });
      const order = (await (await buy(await signUp(app), single.code)).json()).order as OrderSummary;
      await lapse(order.id);
      await expireDueOrders(deps.db, new Date());
      const outcome = await pay(order);
      assert.deepEqual([outcome.result, outcome.orderStatus], ["fulfilled", "paid"]);
      assert.ok(outcome.challengeId);
      const [row] = await deps.db.sql`select redemptions from coupons where id = ${single.id}`;
      assert.equal(row.redemptions, 1);
      await expectError(await buy(await signUp(app), single.code), 409, "coupon_exhausted");
    });

    await t.step(
      "a late payment when the coupon is used up opens nothing and is flagged for a refund staff can see",
      async () => {
        const single = await coupon({ maxRedemptions: 1 });
        const late = (await (await buy(await signUp(app), single.code)).json()).order as OrderSummary;
        await lapse(late.id);
        const onTime = (await (await buy(await signUp(app), single.code)).json()).order as OrderSummary;
        assert.equal((await pay(onTime)).result, "fulfilled");

        const eventId = `evt_${crypto.randomUUID()}`;
        const outcome = await pay(late, "payment.succeeded", eventId);
        assert.deepEqual([outcome.result, outcome.orderStatus, outcome.challengeId], [
          "coupon_over_limit",
          "paid",
          null,
        ]);
        // The provider re-sends it, and another event for the same order arrives: still one flagged order.
        await pay(late, "payment.succeeded", eventId);
        assert.equal((await pay(late)).result, "coupon_over_limit");

        const [order] = await deps.db.sql`select status, flag from orders where id = ${late.id}`;
        assert.deepEqual({ ...order }, { status: "paid", flag: "coupon_over_limit" });
        const challenges = await deps.db.sql`select 1 from challenges where order_id = ${late.id}`;
        assert.equal(challenges.length, 0, "no challenge is opened for an order the coupon cannot cover");
        const [{ redemptions }] = await deps.db.sql`select redemptions from coupons where id = ${single.id}`;
        assert.equal(redemptions, 1, "never redeemed past its limit");
        const audits = await deps.db.sql`
          select 1 from audit_log where action = 'commerce.coupon_over_limit' and target_id = ${late.id}`;
        assert.equal(audits.length, 1);

        const res = await c.json("GET", "/api/admin/orders/flagged", undefined, {
          bearer: admin.accessToken,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const { orders } = await res.json();
        const listed = orders.filter((o: { id: string }) => o.id === late.id);
        assert.equal(listed.length, 1);
        assert.deepEqual(
          [listed[0].flag, listed[0].status, listed[0].couponCode, listed[0].amount],
          ["coupon_over_limit", "paid", single.code, late.amount],
        );
        const trader = await signUp(app);
        await expectError(
          await c.json("GET", "/api/admin/orders/flagged", undefined, { bearer: trader.accessToken }),
          403,
        );

        // Once the provider reports the refund, the order leaves the list of refunds to make.
        assert.equal((await pay(late, "refund.succeeded")).result, "refunded");
        const after = await (await c.json("GET", "/api/admin/orders/flagged", undefined, {
          bearer: admin.accessToken,
        })).json();
        assert.equal(after.orders.find((o: { id: string }) => o.id === late.id)?.status, "refunded");
      },
    );

    await t.step("the running sweep expires orders whose payment window has closed", async () => {
      const order = (await (await buy(await signUp(app), (await coupon({})).code)).json())
        .order as OrderSummary;
      const later = new Date(Date.now() + PAYMENT_WINDOW_MS + 1000);
      const stop = startOrderExpiry(deps, { intervalMs: 10, clock: () => later });
      try {
        let status = "pending";
        for (let i = 0; i < 100 && status === "pending"; i++) {
          await new Promise((r) => setTimeout(r, 20));
          status = (await deps.db.sql`select status from orders where id = ${order.id}`)[0].status;
        }
        assert.equal(status, "expired");
      } finally {
        await stop();
      }
    });
  } finally {
    await close();
  }
});

Deno.test("replaying a purchase with the same Idempotency-Key never spends the purchase budget", async () => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const body = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `replay-${crypto.randomUUID().slice(0, 8)}`, family: "Replays", body })
    );
    const buyer = await signUp(app);
    const key = `replay-${crypto.randomUUID()}`;
    const send = () =>
      c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: buyer.accessToken,
        headers: { "idempotency-key": key },
      });
    const responses = await Promise.all(Array.from({ length: 30 }, send));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    assert.deepEqual(responses.map((r) => r.status).toSorted(), [...Array(29).fill(200), 201]);
    assert.equal(new Set(bodies.map((b) => b.order?.id)).size, 1);
    const again = await Promise.all(Array.from({ length: 30 }, send));
    assert.deepEqual(again.map((r) => r.status), Array(30).fill(200));
    await Promise.all(again.map((r) => r.body?.cancel()));
    // The budget is untouched by the replays: a new purchase still goes through.
    const fresh = await c.json("POST", "/api/challenges/purchase", { planId }, { bearer: buyer.accessToken });
    assert.equal(fresh.status, 201);
    await fresh.body?.cancel();
  } finally {
    await close();
  }
});
