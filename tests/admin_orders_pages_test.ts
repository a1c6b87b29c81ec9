/**
 * The back office's order and analytics pages through `app.request()`: status → content type → body. Support
 * reads orders without the refund form; an admin refunds from the order page (an inline error for a bad
 * amount, PRG on success); analytics is admin only and answers a bad range with the form and a 422.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, islandsOf, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { buildScenario } from "./helpers/analytics_scenario.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { PurchaseResult } from "../services/commerce/purchase.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

function post(c: TestClient, path: string, fields: Record<string, string>, cookie: string) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": "same-origin", cookie },
  });
}

Deno.test("order pages: list with filters, detail, refund form for admins only", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const body = { ...demoPlans().find((p) => p.slug === "one-step-50k")!.body, price: "150.00" };
    const slug = `pages-${crypto.randomUUID().slice(0, 8)}`;
    const { planId } = await deps.db.tx((tx) => insertPlan(tx, { slug, family: "Page Tests", body }));
    const res = await c.json("POST", "/api/challenges/purchase", { planId }, { bearer: trader.accessToken });
    const bought = await res.json() as PurchaseResult;
    const support = cookieFor(await makeStaff(deps, "support"));
    const admin = cookieFor(await makeStaff(deps, "admin"));
    const detailPath = `/admin/orders/${bought.order.id}`;

    await t.step("support finds the order by email; the page has no script of its own", async () => {
      const res = await c.request(`/admin/orders?email=${encodeURIComponent(trader.email)}`, {
        headers: { cookie: support },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.ok(html.includes(detailPath));
      assert.match(textOf(html), /\$150 .*Paid/);
      assert.deepEqual(islandsOf(html), ["NotificationBell"]);
    });

    await t.step("a bad filter re-renders the form with the error (422)", async () => {
      const res = await c.request("/admin/orders?from=2024-02-01&to=2024-01-01", {
        headers: { cookie: support },
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      assert.match(textOf(await res.text()), /must be after the start date/);
    });

    await t.step("support reads the detail, without the refund form; its POST is 404", async () => {
      const res = await c.request(detailPath, { headers: { cookie: support } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const text = textOf(await res.text());
      assert.match(text, /What it opened/);
      assert.match(text, /Phase 1 Active no trades/);
      assert.doesNotMatch(text, /Refund through demo/);
      const refused = await post(c, detailPath, { reason: "Support should not refund." }, support);
      assert.equal(refused.status, 404);
      await refused.body?.cancel();
    });

    await t.step("a trader gets the 404 page", async () => {
      const res = await c.request(detailPath, { headers: { cookie: cookieFor(trader) } });
      assert.equal(res.status, 404);
      await res.body?.cancel();
    });

    await t.step("admin: too much is an inline error (409), then a partial refund is recorded", async () => {
      const page = textOf(await (await c.request(detailPath, { headers: { cookie: admin } })).text());
      assert.match(page, /Refund through demo/);
      assert.match(page, /A full refund cancels the challenge and closes phase 1 \(active, 0 trades\)/);
      const over = await post(
        c,
        detailPath,
        { key: "page-key-00001", amount: "150.01", reason: "Too much." },
        admin,
      );
      assert.equal(over.status, 422);
      assert.equal(over.headers.get("content-type"), HTML);
      assert.match(textOf(await over.text()), /must explain the refund/);
      const tooMuch = await post(c, detailPath, {
        key: "page-key-00002",
        amount: "150.01",
        reason: "Goodwill for the outage.",
      }, admin);
      assert.equal(tooMuch.status, 409);
      assert.match(textOf(await tooMuch.text()), /Amount must be at most 150\.00/);
      const done = await post(c, detailPath, {
        key: "page-key-00003",
        amount: "50.00",
        reason: "Goodwill for the outage.",
      }, admin);
      assert.equal(done.status, 303);
      assert.equal(done.headers.get("location"), `${detailPath}?done=refund`);
      const after = textOf(
        await (await c.request(`${detailPath}?done=refund`, { headers: { cookie: admin } })).text(),
      );
      assert.match(after, /The refund is recorded/);
      assert.match(after, /Partly refunded/);
      assert.match(after, /Goodwill for the outage\./);
      assert.match(after, /Up to \$100\. Leave empty/);
    });
  } finally {
    await close();
  }
});

Deno.test("analytics page: admin only, figures in tables, a chart island per chart, CSV links", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    await buildScenario(deps.db);
    const admin = cookieFor(await makeStaff(deps, "admin"));
    const risk = cookieFor(await makeStaff(deps, "risk"));

    await t.step("admin sees the quarter", async () => {
      const res = await c.request("/admin/analytics?from=2024-01-01&to=2024-03-31&granularity=month", {
        headers: { cookie: admin },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /Revenue \$520 \$750 paid − \$230 refunded/);
      assert.match(text, /Mar 2024 1 \$100 \$230 −\$130 \$100 \$0 −\$130/);
      assert.match(text, /Phase 1 pass rate 60\.0 %/);
      // One payout was paid in the quarter: the count agrees with its noun.
      assert.match(text, /Payouts paid \$800 1 payout(?!s)/);
      assert.equal(islandsOf(html).filter((n) => n === "AnalyticsChart").length, 6);
      assert.ok(html.includes("format=csv&amp;table=breaches") || html.includes("format=csv&table=breaches"));
    });

    await t.step("a bad range is the form with the error, 422", async () => {
      const res = await c.request("/admin/analytics?from=2024-03-01&to=2024-01-01", {
        headers: { cookie: admin },
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      assert.match(textOf(await res.text()), /To must be after from\./);
    });

    await t.step("risk staff get the 404 page", async () => {
      const res = await c.request("/admin/analytics", { headers: { cookie: risk } });
      assert.equal(res.status, 404);
      await res.body?.cancel();
    });
  } finally {
    await close();
  }
});
