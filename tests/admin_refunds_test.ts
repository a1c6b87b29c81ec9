/**
 * Refunds through the payment-provider abstraction: partial and full, over-refunds refused, idempotency,
 * the provider asked once per refund, the audit entry, the full-refund rule (the challenge is cancelled and
 * its accounts closed), and who may do it (support reads orders, only admin refunds).
 */
import assert from "node:assert/strict";
import { openTestApp, webhookProviderApp } from "./helpers/app.ts";
import { signatureHeader } from "../services/commerce/payments/signature.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { Db } from "../db/client.ts";
import type { PurchaseResult } from "../services/commerce/purchase.ts";
import { refundOrder } from "../services/commerce/refunds.ts";
import { DEMO_PROVIDER } from "../services/commerce/payments/demo.ts";
import type { PaymentProvider, RefundRequest } from "../services/commerce/payments/types.ts";

async function addPlan(db: Db, price: string): Promise<string> {
  const body = { ...demoPlans().find((p) => p.slug === "one-step-50k")!.body, price };
  const slug = `refund-${crypto.randomUUID().slice(0, 8)}`;
  return (await db.tx((tx) => insertPlan(tx, { slug, family: "Refund Tests", body }))).planId;
}

Deno.test("refunds: partial, full, over-refund, idempotency, provider, audit, roles", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const planId = await addPlan(deps.db, "300.00");
    const buy = async () => {
      const res = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      assert.equal(res.status, 201);
      return await res.json() as PurchaseResult;
    };
    const admin = await makeStaff(deps, "admin");
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    const bought = await buy();
    const orderId = bought.order.id;
    const refund = (
      body: unknown,
      who: { accessToken: string } = admin,
      headers: Record<string, string> = {},
    ) => c.json("POST", `/api/admin/orders/${orderId}/refunds`, body, { bearer: who.accessToken, headers });

    await t.step("support reads the list and the order, but may not refund (403); risk neither", async () => {
      const list = await c.request(`/api/admin/orders?email=${encodeURIComponent(trader.email)}`, {
        headers: support.auth,
      });
      assert.equal(list.status, 200);
      assert.match(list.headers.get("content-type") ?? "", /^application\/json/);
      const { items } = await list.json();
      assert.deepEqual(items.map((o: { id: string }) => o.id), [orderId]);
      const detail = await (await c.request(`/api/admin/orders/${orderId}`, { headers: support.auth }))
        .json();
      assert.equal(detail.order.amount, "300.00");
      assert.equal(detail.refundable, "300.00");
      assert.deepEqual(detail.accounts.map((a: { id: string; status: string }) => [a.id, a.status]), [
        [bought.accountId, "active"],
      ]);
      await expectError(await refund({ reason: "Customer asked nicely." }, support), 403);
      await expectError(await refund({ reason: "Customer asked nicely." }, risk), 403);
    });

    await t.step("a partial refund: 201, the order stays paid, the account keeps trading", async () => {
      const res = await refund({ amount: "100.00", reason: "Goodwill for a platform outage." }, admin, {
        "idempotency-key": "partial-key-0001",
      });
      assert.equal(res.status, 201);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const body = await res.json();
      assert.equal(body.refund.amount, "100.00");
      assert.equal(body.refund.status, "succeeded");
      assert.match(body.refund.providerRef, /^demo_re_partial-key-0001$/);
      assert.deepEqual([body.replayed, body.orderStatus, body.refundable], [false, "paid", "200.00"]);
      assert.deepEqual(body.closedAccounts, []);
      const [account] = await deps.db.sql`select status from accounts where id = ${bought.accountId}`;
      assert.equal(account.status, "active");
      const [audit] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.order_refunded' and target_id = ${orderId}`;
      assert.equal(audit.actor_id, admin.userId);
      assert.equal(audit.details.amount, "100.00");
      assert.equal(audit.details.reason, "Goodwill for a platform outage.");
    });

    await t.step(
      "the same key again: 200, the first refund, nothing more moved; another amount 409",
      async () => {
        const again = await refund({ amount: "100.00", reason: "Goodwill for a platform outage." }, admin, {
          "idempotency-key": "partial-key-0001",
        });
        assert.equal(again.status, 200);
        assert.equal((await again.json()).replayed, true);
        await expectError(
          await refund({ amount: "50.00", reason: "Goodwill for a platform outage." }, admin, {
            "idempotency-key": "partial-key-0001",
          }),
          409,
          "conflict",
        );
        const [{ n }] = await deps.db.sql`select count(*)::int as n from refunds where order_id = ${orderId}`;
        assert.equal(n, 1);
      },
    );

    await t.step("more than is left: 409 naming the amount; bad input 422; unknown order 404", async () => {
      const over = await expectError(await refund({ amount: "200.01", reason: "Too much by a cent." }), 409);
      assert.equal(over.error.fields?.amount, "must be at most 200.00");
      await expectError(await refund({ amount: "-5", reason: "Negative amount here." }), 422);
      await expectError(await refund({ amount: "5.00", reason: "short" }), 422);
      await expectError(
        await c.json("POST", `/api/admin/orders/${crypto.randomUUID()}/refunds`, {
          reason: "No such order here.",
        }, {
          bearer: admin.accessToken,
        }),
        404,
      );
    });

    await t.step("the rest: a full refund cancels the challenge and closes its account", async () => {
      const res = await refund({ reason: "Chargeback threatened; refunding the rest." });
      assert.equal(res.status, 201);
      const body = await res.json();
      assert.deepEqual([body.refund.amount, body.orderStatus, body.refundable], [
        "200.00",
        "refunded",
        "0.00",
      ]);
      assert.deepEqual(body.closedAccounts, [bought.accountId]);
      const [account] = await deps.db.sql`select status from accounts where id = ${bought.accountId}`;
      assert.equal(account.status, "closed");
      const [challenge] = await deps.db.sql`select status from challenges where id = ${bought.challengeId}`;
      assert.equal(challenge.status, "cancelled");
      await expectError(await refund({ reason: "Once more, just in case." }), 409);
    });

    await t.step("the provider is asked once per refund, with the order's amount and key", async () => {
      const calls: RefundRequest[] = [];
      const spy: PaymentProvider = {
        ...DEMO_PROVIDER,
        refund: (r) => (calls.push(r), DEMO_PROVIDER.refund(r)),
      };
      const second = await buy();
      const actor = { userId: admin.userId, ip: null, userAgent: null };
      const input = { reason: "Bought the wrong size.", idempotencyKey: "spy-key-000001" };
      await refundOrder(deps, actor, second.order.id, input, { provider: spy });
      await refundOrder(deps, actor, second.order.id, input, { provider: spy });
      assert.deepEqual(calls, [{
        orderId: second.order.id,
        paymentRef: null,
        amount: "300.00",
        currency: "USD",
        idempotencyKey: "spy-key-000001",
      }]);
    });

    await t.step("a provider that fails leaves nothing recorded", async () => {
      const third = await buy();
      const broken: PaymentProvider = { ...DEMO_PROVIDER, refund: () => Promise.reject(new Error("down")) };
      const actor = { userId: admin.userId, ip: null, userAgent: null };
      await assert.rejects(
        refundOrder(deps, actor, third.order.id, { reason: "Provider is down now." }, { provider: broken }),
      );
      const [{ n }] = await deps.db
        .sql`select count(*)::int as n from refunds where order_id = ${third.order.id}`;
      assert.equal(n, 0);
      const [account] = await deps.db.sql`select status from accounts where id = ${third.accountId}`;
      assert.equal(account.status, "active");
    });
  } finally {
    await close();
  }
});

Deno.test("refunds through the webhook provider: pending until its refund.succeeded settles them", async () => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const secret = deps.config.paymentWebhookSecret!;
    const trader = await signUp(app);
    const admin = await makeStaff(deps, "admin");
    const planId = await addPlan(deps.db, "200.00");
    const { order } = await (await c.json("POST", "/api/challenges/purchase", { planId }, {
      bearer: trader.accessToken,
    })).json();
    const deliver = async (type: string) => {
      const raw = JSON.stringify({
        id: `evt_${crypto.randomUUID()}`,
        type,
        data: { orderId: order.id, amount: "200.00", currency: "USD", providerRef: `pi_${order.id}` },
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
      return await res.json();
    };
    const paid = await deliver("payment.succeeded");
    const accountId = paid.outcome.accountId;

    // Staff ask for 60.00 back: the provider has no API here, so the refund waits, and nothing is closed.
    const res = await c.json("POST", `/api/admin/orders/${order.id}/refunds`, {
      amount: "60.00",
      reason: "Goodwill, issued on the provider's dashboard.",
    }, { bearer: admin.accessToken });
    assert.equal(res.status, 201);
    const asked = await res.json();
    assert.deepEqual([asked.refund.status, asked.orderStatus, asked.refundable], [
      "pending",
      "paid",
      "140.00",
    ]);

    // The provider reports the whole order refunded: the pending 60 succeeds, the other 140 is recorded as
    // refunded on its side, the order is refunded and the account closed.
    const refunded = await deliver("refund.succeeded");
    assert.equal(refunded.outcome.result, "refunded");
    const rows = await deps.db.sql<{ amount: string; status: string; requested_by: string | null }[]>`
      select amount, status, requested_by from refunds where order_id = ${order.id} order by created_at, amount`;
    assert.deepEqual(rows.map((r) => [r.amount, r.status, r.requested_by]), [
      ["60.00", "succeeded", admin.userId],
      ["140.00", "succeeded", null],
    ]);
    const [account] = await deps.db.sql`select status from accounts where id = ${accountId}`;
    assert.equal(account.status, "closed");
  } finally {
    await close();
  }
});
