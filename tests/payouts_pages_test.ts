/**
 * The payout pages through `app.request()`: the trader's /dashboard/payouts (readiness list, quote showing the
 * share, confirm with the password step-up, history) and the staff queue /admin/payouts (support reads without
 * forms, risk decides; a rejection without a reason is an inline error). Status → content type → body.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, islandsOf, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { fundedWithProfit } from "./helpers/payouts.ts";
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

Deno.test("payout pages: trader requests with a quote and step-up; staff queue reads and decides", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");

    await t.step(
      "/dashboard/payouts: 200, HTML, no island but the bell, the readiness list and the form",
      async () => {
        const res = await c.request("/dashboard/payouts", { headers: { cookie } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.deepEqual(islandsOf(html), ["NotificationBell"]); // no script of its own
        const text = textOf(html);
        assert.match(text, /Ready for a payout/);
        assert.match(text, /Profit \$3,000 × 80 % = \$2,400 reaches the minimum \$100\./);
        assert.match(text, /No payouts yet\./);
        assert.match(html, /name="amount"[^>]*value="3000.00"/);
      },
    );

    await t.step("quote: the share and what the firm keeps, before anything happens", async () => {
      const bad = await post(c, "/dashboard/payouts", { intent: "quote", accountId, amount: "5000" }, cookie);
      assert.equal(bad.status, 400);
      assert.match(textOf(await bad.text()), /The amount \$5,000 is more than the profit \$3,000\./);
      const res = await post(c, "/dashboard/payouts", { intent: "quote", accountId, amount: "2500" }, cookie);
      assert.equal(res.status, 200);
      const html = await res.text();
      const text = textOf(html);
      assert.match(
        text,
        /Withdrawn from the account \$2,500 You receive \(80 %\) \$2,000 The firm keeps \$500/,
      );
      assert.match(html, /name="password"/);
      assert.equal((await deps.db.sql`select 1 from payouts where account_id = ${accountId}`).length, 0);
    });

    await t.step("confirm: a wrong password is an inline error; the right one makes one payout", async () => {
      const key = crypto.randomUUID();
      const fields = { intent: "confirm", accountId, amount: "2500.00", key, back: "/dashboard/payouts" };
      const wrong = await post(
        c,
        "/dashboard/payouts",
        { ...fields, password: "not-my-password-123" },
        cookie,
      );
      assert.equal(wrong.status, 422);
      assert.match(await wrong.text(), /role="alert"/);
      const ok = await post(c, "/dashboard/payouts", { ...fields, password: trader.password }, cookie);
      assert.equal(ok.status, 303);
      assert.match(ok.headers.get("location")!, /^\/dashboard\/payouts\?requested=/);
      const again = await post(c, "/dashboard/payouts", { ...fields, password: trader.password }, cookie);
      assert.equal(again.status, 303, "a double submit with the same key is the same payout");
      assert.equal((await deps.db.sql`select 1 from payouts where account_id = ${accountId}`).length, 1);
      const page = textOf(
        await (await c.request(ok.headers.get("location")!, { headers: { cookie } })).text(),
      );
      assert.match(page, /Your payout request was sent for review\./);
      assert.match(page, /Pending review/);
      assert.match(page, /A request is already open/);
    });

    await t.step("another trader posting for this account gets 404", async () => {
      const other = await signUp(app);
      const res = await post(c, "/dashboard/payouts", {
        intent: "quote",
        accountId,
        amount: "100",
        back: "https://evil.example/",
      }, cookieFor(other));
      assert.equal(res.status, 404);
    });

    const [{ id }] = await deps.db.sql<
      { id: string }[]
    >`select id from payouts where account_id = ${accountId}`;
    await t.step("/admin/payouts: support reads the queue and the detail, without forms", async () => {
      const res = await c.request(`/admin/payouts?id=${id}`, { headers: { cookie: cookieFor(support) } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /\$2,000 to Test Trader/);
      assert.match(text, /Closed trades 1 \(1 won\)/);
      assert.match(text, /A request is already open/);
      assert.doesNotMatch(html, /value="approve"/);
      assert.equal((await c.request("/admin/payouts", { headers: { cookie } })).status, 404);
    });

    await t.step(
      "risk: a rejection without a reason is an inline error; approve, then mark paid",
      async () => {
        const rc = cookieFor(risk);
        const html = await (await c.request(`/admin/payouts?id=${id}`, { headers: { cookie: rc } })).text();
        assert.match(html, /value="approve"/);
        const noReason = await post(c, "/admin/payouts", { intent: "reject", id, reason: "" }, rc);
        assert.equal(noReason.status, 422);
        assert.match(textOf(await noReason.text()), /Reason/);
        const approve = await post(c, "/admin/payouts", { intent: "approve", id }, rc);
        assert.equal(approve.status, 303);
        const paid = await post(c, "/admin/payouts", { intent: "mark_paid", id, reference: "WIRE-1" }, rc);
        assert.equal(paid.status, 303);
        const trader = textOf(await (await c.request("/dashboard/payouts", { headers: { cookie } })).text());
        assert.match(trader, /Paid/);
        assert.match(trader, /WIRE-1/);
      },
    );
  } finally {
    await close();
  }
});
