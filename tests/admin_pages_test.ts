import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

Deno.test("back office: staff only, 404 for everyone else, outbox readable by support", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");

    await t.step("anonymous visitors are sent to sign in", async () => {
      const res = await c.request("/admin/outbox");
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/signin?next=%2Fadmin%2Foutbox");
    });

    await t.step("a trader gets the ordinary 404 page, and the refusal is audited", async () => {
      const res = await c.request("/admin", { headers: { cookie: cookieFor(trader) } });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await res.text(), /This page does not exist/);
      const [row] = await deps.db.sql`
        select details from audit_log where actor_id = ${trader.userId} and action = 'authz.denied'
        order by at desc limit 1`;
      assert.equal(row.details.role, "trader");
    });

    await t.step("support reads the outbox, including the trader's verification mail", async () => {
      const res = await c.request(`/admin/outbox?to=${encodeURIComponent(trader.email)}`, {
        headers: { cookie: cookieFor(support) },
      });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /Confirm your email|verify/i);
      assert.ok(html.includes(trader.email));
    });

    await t.step("the overview leads with the queues; each links only where the viewer may go", async () => {
      const riskPage = await c.request("/admin", { headers: { cookie: cookieFor(risk) } });
      assert.equal(riskPage.status, 200);
      assert.equal(riskPage.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await riskPage.text();
      assert.match(html, /Waiting for the team/);
      assert.match(html, /KYC to review/);
      assert.match(html, /href="\/admin\/accounts"/, "risk reaches the monitor from the breaches tile");
      assert.match(html, /Latest audit entries/, "risk reads the audit log");
      // Support neither reads the audit log nor acts on accounts' plans: no audit table, no plans link.
      const supportPage = await (await c.request("/admin", { headers: { cookie: cookieFor(support) } }))
        .text();
      assert.doesNotMatch(supportPage, /Latest audit entries/);
      assert.doesNotMatch(supportPage, /href="\/admin\/plans"/);
      assert.match(supportPage, /href="\/admin\/users"/);
    });

    await t.step("risk sees the overview but not the outbox (no mail.read permission)", async () => {
      assert.equal((await c.request("/admin", { headers: { cookie: cookieFor(risk) } })).status, 200);
      const res = await c.request("/admin/outbox", { headers: { cookie: cookieFor(risk) } });
      assert.equal(res.status, 404);
      await res.body?.cancel();
    });
  } finally {
    await close();
  }
});
