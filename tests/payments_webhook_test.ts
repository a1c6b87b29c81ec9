import assert from "node:assert/strict";
import { openTestApp, webhookProviderApp } from "./helpers/app.ts";
import { client, expectError, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { signatureHeader } from "../services/commerce/payments/signature.ts";
import type { OrderSummary } from "../services/commerce/purchase.ts";

const now = () => Math.floor(Date.now() / 1000);

Deno.test("payment webhook: signed, idempotent per event id, fulfils each order exactly once", async (t) => {
  const { deps, close } = await openTestApp();
  try {
    const app = await webhookProviderApp(deps);
    const c = client(app);
    const secret = deps.config.paymentWebhookSecret!;
    const trader = await signUp(app);
    const body = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const { planId } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `hook-${crypto.randomUUID().slice(0, 8)}`, family: "Webhook Tests", body })
    );

    const placeOrder = async (): Promise<OrderSummary> => {
      const res = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      assert.equal(res.status, 201);
      const { order } = await res.json();
      assert.equal(order.status, "pending");
      return order;
    };
    const event = (order: OrderSummary, overrides: Record<string, unknown> = {}, data = {}) => ({
      id: `evt_${crypto.randomUUID()}`,
      type: "payment.succeeded",
      data: {
        orderId: order.id,
        amount: order.amount,
        currency: order.currency,
        providerRef: `pi_${order.id}`,
        ...data,
      },
      ...overrides,
    });
    const deliver = async (payload: unknown, header?: string) => {
      const raw = JSON.stringify(payload);
      return await c.request("/api/payments/webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "payment-signature": header ?? await signatureHeader(secret, raw, now()),
        },
        body: raw,
      });
    };
    const challengesOf = async (orderId: string) =>
      (await deps.db.sql`select count(*)::int as n from challenges where order_id = ${orderId}`)[0].n;
    const eventsOf = async (orderId: string) =>
      (await deps.db
        .sql`select count(*)::int as n from payment_events where payload -> 'data' ->> 'orderId' = ${orderId}`)[
          0
        ].n;
    const statusOf = async (orderId: string) =>
      (await deps.db.sql`select status from orders where id = ${orderId}`)[0].status;

    await t.step("missing, wrong or stale signatures are a 401, and nothing is written", async () => {
      const order = await placeOrder();
      const payload = event(order);
      const raw = JSON.stringify(payload);
      const cases: [string, string | undefined][] = [
        ["no header", ""],
        ["another secret", await signatureHeader("not-the-secret-0123456789abcdef0123", raw, now())],
        ["another body", await signatureHeader(secret, raw + " ", now())],
        ["301 s old", await signatureHeader(secret, raw, now() - 301)],
        // A future time comes closer while the test runs: 301 s ahead read 300 s ahead one second later (a flake
        // under the parallel runner), so the margin is wider than the test can take.
        ["310 s ahead", await signatureHeader(secret, raw, now() + 310)],
        ["malformed", "v1=deadbeef"],
      ];
      for (const [what, header] of cases) {
        const res = await c.request("/api/payments/webhook", {
          method: "POST",
          headers: header ? { "content-type": "application/json", "payment-signature": header } : {},
          body: raw,
        });
        await expectError(res, 401, "unauthorized", what);
      }
      assert.equal(await statusOf(order.id), "pending");
      assert.equal(await eventsOf(order.id), 0);
    });

    await t.step(
      "an amount or currency that differs from the order's is a 422, and nothing is written",
      async () => {
        const order = await placeOrder();
        const low = await expectError(
          await deliver(event(order, {}, { amount: "1.00" })),
          422,
          "unprocessable",
        );
        assert.deepEqual(Object.keys(low.error.fields!), ["data.amount"]);
        const eur = await expectError(await deliver(event(order, {}, { currency: "EUR" })), 422);
        assert.deepEqual(Object.keys(eur.error.fields!), ["data.currency"]);
        const malformed = await expectError(
          await deliver({ id: "evt_x", type: "payment.succeeded", data: {} }),
          422,
        );
        assert.ok(malformed.error.fields!["data.orderId"]);
        assert.equal(await statusOf(order.id), "pending");
        assert.equal(await eventsOf(order.id), 0);
        assert.equal(await challengesOf(order.id), 0);
        await expectError(await deliver(event({ ...order, id: crypto.randomUUID() })), 404, "not_found");
      },
    );

    let order: OrderSummary;
    let payload: ReturnType<typeof event>;
    let first: { outcome: Record<string, unknown> };
    await t.step("payment.succeeded fulfils: paid order, challenge, active phase-1 account", async () => {
      order = await placeOrder();
      payload = event(order);
      const res = await deliver(payload);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      first = body;
      assert.equal(body.received, true);
      assert.equal(body.duplicate, false);
      assert.equal(first.outcome.result, "fulfilled");
      assert.equal(first.outcome.orderStatus, "paid");
      const [row] = await deps.db
        .sql`select status, provider_ref, paid_at from orders where id = ${order.id}`;
      assert.deepEqual([row.status, row.provider_ref], ["paid", `pi_${order.id}`]);
      const [account] = await deps.db.sql`
        select a.status, a.balance, a.phase, c.id as challenge_id from accounts a join challenges c on c.id = a.challenge_id
        where c.order_id = ${order.id}`;
      assert.deepEqual({ ...account }, {
        status: "active",
        balance: "100000.00",
        phase: 1,
        challenge_id: first.outcome.challengeId,
      });
    });

    await t.step("the same event id again: 200, the first outcome, nothing changed", async () => {
      const again = await deliver(payload);
      assert.equal(again.status, 200);
      const body = await again.json();
      assert.equal(body.duplicate, true);
      assert.deepEqual(body.outcome, first.outcome);
      assert.equal(await challengesOf(order.id), 1);
      const [{ n }] = await deps.db
        .sql`select count(*)::int as n from payment_events where event_id = ${payload.id}`;
      assert.equal(n, 1);
    });

    await t.step("another event id for the paid order: already_paid, same challenge", async () => {
      const other = await (await deliver(event(order))).json();
      assert.equal(other.outcome.result, "already_paid");
      assert.equal(other.outcome.challengeId, first.outcome.challengeId);
      assert.equal(await challengesOf(order.id), 1);
    });

    await t.step("10 concurrent deliveries of one event open exactly one challenge", async () => {
      const order = await placeOrder();
      const payload = event(order);
      const raw = JSON.stringify(payload);
      const header = await signatureHeader(secret, raw, now());
      const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(payload, header)));
      const bodies = await Promise.all(responses.map((r) => r.json()));
      assert.deepEqual(responses.map((r) => r.status), Array(10).fill(200));
      assert.equal(bodies.filter((b) => !b.duplicate).length, 1);
      assert.equal(new Set(bodies.map((b) => b.outcome.challengeId)).size, 1);
      assert.equal(await challengesOf(order.id), 1);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from accounts a join challenges c on c.id = a.challenge_id where c.order_id = ${order.id}`;
      assert.equal(n, 1);
    });

    await t.step(
      "10 concurrent distinct events for one order also fulfil it once (order row lock)",
      async () => {
        const order = await placeOrder();
        const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(event(order))));
        const bodies = await Promise.all(responses.map((r) => r.json()));
        assert.deepEqual(
          bodies.map((b) => b.outcome.result).toSorted(),
          [...Array(9).fill("already_paid"), "fulfilled"],
        );
        assert.equal(await challengesOf(order.id), 1);
      },
    );

    await t.step(
      "payment.failed marks a pending order failed; a later success still fulfils it",
      async () => {
        const order = await placeOrder();
        const failed = await (await deliver(event(order, { type: "payment.failed" }))).json();
        assert.deepEqual([failed.outcome.result, failed.outcome.orderStatus], ["payment_failed", "failed"]);
        assert.equal(await statusOf(order.id), "failed");
        const paid = await (await deliver(event(order))).json();
        assert.equal(paid.outcome.result, "fulfilled");
        const late = await (await deliver(event(order, { type: "payment.failed" }))).json();
        assert.deepEqual([late.outcome.result, late.outcome.orderStatus], ["ignored", "paid"]);
      },
    );

    await t.step("refund.succeeded refunds a paid order and closes its challenge's accounts", async () => {
      const order = await placeOrder();
      const refundEarly = await deliver(event(order, { type: "refund.succeeded" }));
      await expectError(refundEarly, 409, "conflict");
      const paid = await (await deliver(event(order))).json();
      const accountId = paid.outcome.accountId;
      const received: { accountId: string; account: { status: string } }[] = [];
      const unsubscribe = await deps.bus.subscribe(`account:${accountId}`, (m) => {
        received.push(m as (typeof received)[number]);
      });
      const refunded = await (await deliver(event(order, { type: "refund.succeeded" }))).json();
      assert.deepEqual([refunded.outcome.result, refunded.outcome.orderStatus], ["refunded", "refunded"]);
      const [row] = await deps.db.sql`select status, paid_at from orders where id = ${order.id}`;
      assert.equal(row.status, "refunded");
      assert.ok(row.paid_at, "keeps when it was paid");
      const [account] = await deps.db.sql`
        select a.status, a.next_reset_at, c.status as challenge from accounts a
        join challenges c on c.id = a.challenge_id where a.id = ${accountId}`;
      assert.deepEqual({ ...account }, { status: "closed", next_reset_at: null, challenge: "cancelled" });
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await unsubscribe();
      assert.equal(
        received[0]?.account.status,
        "closed",
        "the closure is published to the account's streams",
      );
      const other = await deliver({
        id: `evt_${crypto.randomUUID()}`,
        type: "customer.created",
        data: { any: 1 },
      });
      assert.equal(other.status, 200);
      assert.equal((await other.json()).outcome.result, "ignored");
    });

    await t.step("orders paid without the provider (demo) refuse its events", async () => {
      const demo = await (await client(app).json("POST", "/api/challenges/purchase", { planId }, {
        bearer: (await signUp(app)).accessToken,
      })).json();
      assert.equal(demo.order.status, "pending"); // this app uses the webhook provider
      await deps.db.sql`update orders set provider = 'demo' where id = ${demo.order.id}`;
      await expectError(await deliver(event(demo.order)), 409, "conflict");
      assert.equal(await challengesOf(demo.order.id), 0);
    });
  } finally {
    await close();
  }
});
