import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { cookieFor, getPage, HTML, postForm } from "./helpers/staff_pages.ts";

Deno.test("coupons back office: list, create with inline errors, edit limits, switch off; audited", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const cookie = cookieFor(admin);
    const code = `SPRING${crypto.randomUUID().slice(0, 6).toUpperCase()}`;

    await t.step("support and risk get the 404 page", async () => {
      for (const role of ["support", "risk"] as const) {
        const res = await getPage(c, "/admin/coupons", cookieFor(await makeStaff(deps, role)));
        assert.equal(res.status, 404);
        assert.equal(res.headers.get("content-type"), HTML);
        await res.body?.cancel();
      }
    });

    await t.step("bad input comes back inline with the typed values", async () => {
      const res = await postForm(c, "/admin/coupons", cookie, {
        intent: "create",
        code: "x",
        kind: "percent",
        value: "150",
        maxPerUser: "two",
        expiresAt: "2026-13-01T00:00",
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /id="code-error"[^>]*>[\s\S]*?must be 3 to 32 letters/);
      assert.match(html, /id="value-error"[^>]*>[\s\S]*?at most 100/);
      assert.match(html, /id="maxPerUser-error"[^>]*>[\s\S]*?must be a whole number/);
      assert.match(html, /id="expiresAt-error"[^>]*>[\s\S]*?must be a date and time/);
      assert.match(html, /value="150"/);
    });

    let id = "";
    await t.step(
      "create: listed with its discount, limits, uses, validity in the admin's zone and status",
      async () => {
        const res = await postForm(c, "/admin/coupons", cookie, {
          intent: "create",
          code: code.toLowerCase(),
          kind: "amount",
          value: "50",
          currency: "usd",
          maxRedemptions: "100",
          maxPerUser: "1",
          expiresAt: "2099-12-31T23:59",
          active: "on",
        });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/admin/coupons?saved=created");
        const [row] = await deps.db
          .sql`select id, code, value, currency, expires_at from coupons where code = ${code}`;
        id = row.id;
        assert.equal(row.value, "50.00");
        assert.equal(row.currency, "USD");
        // The admin's zone is UTC by default: 23:59 typed is 23:59Z stored.
        assert.equal(row.expires_at.toISOString(), "2099-12-31T23:59:00.000Z");
        const html = await (await getPage(c, "/admin/coupons?saved=created", cookie)).text();
        const at = html.indexOf(`>${code}</th>`);
        const tr = html.slice(at, html.indexOf("</tr>", at));
        assert.match(tr, /\$50/);
        assert.match(tr, /0<span[^>]*> \/ 100/);
        assert.match(tr, /31 Dec 2099/);
        assert.match(tr, /Active/);
        const [audit] = await deps.db.sql`
        select actor_id from audit_log where action = 'admin.coupon_created' and target_id = ${id}`;
        assert.equal(audit.actor_id, admin.userId);
      },
    );

    await t.step("a taken code is an inline error", async () => {
      const res = await postForm(c, "/admin/coupons", cookie, {
        intent: "create",
        code,
        kind: "percent",
        value: "5",
      });
      assert.equal(res.status, 409);
      assert.match(await res.text(), /id="code-error"[^>]*>[\s\S]*?is taken/);
    });

    await t.step("edit: limits and expiry change, errors inline; switch off", async () => {
      const form = await (await getPage(c, `/admin/coupons?edit=${id}`, cookie)).text();
      assert.match(form, new RegExp(`Edit ${code}`));
      const bad = await postForm(c, "/admin/coupons", cookie, { intent: "update", id, maxRedemptions: "0" });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /id="maxRedemptions-error"/);
      const ok = await postForm(c, "/admin/coupons", cookie, {
        intent: "update",
        id,
        maxRedemptions: "5",
        maxPerUser: "",
        expiresAt: "",
        active: "on",
      });
      assert.equal(ok.status, 303);
      const [row] = await deps.db
        .sql`select max_redemptions, max_per_user, expires_at from coupons where id = ${id}`;
      assert.deepEqual([row.max_redemptions, row.max_per_user, row.expires_at], [5, null, null]);
      const off = await postForm(c, "/admin/coupons", cookie, { intent: "deactivate", id });
      assert.equal(off.status, 303);
      const html = await (await getPage(c, "/admin/coupons", cookie)).text();
      const at = html.indexOf(`>${code}</th>`);
      assert.match(html.slice(at, html.indexOf("</tr>", at)), />Off</);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from audit_log where action = 'admin.coupon_updated' and target_id = ${id}`;
      assert.equal(n, 2);
    });
  } finally {
    await close();
  }
});

Deno.test("FAQ editor: pages and JSON API, reorder, delete, audited; /faq and the home page follow", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const cookie = cookieFor(admin);
    const asAdmin = { bearer: admin.accessToken };
    const tag = crypto.randomUUID().slice(0, 6);

    await t.step("support and risk: 404 on the page, 403 on the API; traders 403", async () => {
      const trader = await signUp(app);
      for (const role of ["support", "risk"] as const) {
        const staff = await makeStaff(deps, role);
        const res = await getPage(c, "/admin/faq", cookieFor(staff));
        assert.equal(res.status, 404);
        await res.body?.cancel();
        await expectError(
          await c.json("GET", "/api/admin/faq", undefined, { bearer: staff.accessToken }),
          403,
        );
        await expectError(
          await c.json("PUT", "/api/admin/faq/order", { category: "general", ids: [crypto.randomUUID()] }, {
            bearer: staff.accessToken,
          }),
          403,
        );
      }
      await expectError(await c.json("POST", "/api/admin/faq", {}, { bearer: trader.accessToken }), 403);
    });

    await t.step("bad input comes back inline", async () => {
      const res = await postForm(c, "/admin/faq", cookie, {
        intent: "create",
        category: "general",
        slug: "Not A Slug",
        question: "",
        answer: "x",
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /id="question-error"[^>]*>[\s\S]*?is required/);
      assert.match(html, /id="slug-error"[^>]*>[\s\S]*?lower-case words/);
    });

    const ids: string[] = [];
    await t.step("add three entries (page and API); /faq shows the published ones at once", async () => {
      const visitor = client(app);
      await (await visitor.request("/")).body?.cancel(); // the home page is cached now
      const res = await postForm(c, "/admin/faq", cookie, {
        intent: "create",
        category: "payouts",
        question: `First ${tag}?`,
        answer: "One.",
        published: "on",
      });
      assert.equal(res.status, 303);
      for (const n of ["Second", "Third"]) {
        const api = await c.json("POST", "/api/admin/faq", {
          category: "payouts",
          question: `${n} ${tag}?`,
          answer: `${n} answer.`,
          published: true,
        }, asAdmin);
        assert.equal(api.status, 201);
        assert.equal(api.headers.get("content-type"), "application/json");
      }
      const entries = (await (await c.json("GET", "/api/admin/faq", undefined, asAdmin)).json()).entries
        .filter((e: { question: string }) => e.question.includes(tag));
      ids.push(...entries.map((e: { id: string }) => e.id));
      assert.deepEqual(entries.map((e: { slug: string }) => e.slug), [
        `first-${tag}`,
        `second-${tag}`,
        `third-${tag}`,
      ]);
      const faq = await (await visitor.request("/faq")).text();
      assert.ok(faq.indexOf(`First ${tag}?`) < faq.indexOf(`Second ${tag}?`));
      // The home page shows the first entry of each category: its cached copy was dropped.
      let home = "";
      for (let i = 0; i < 50 && !home.includes(tag); i++) {
        home = await (await visitor.request("/")).text();
        if (!home.includes(tag)) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(home.includes(`First ${tag}?`) || !home.includes("Payouts"), "home page refreshed");
    });

    await t.step("reorder with the page's buttons and the API; audited", async () => {
      const res = await postForm(c, "/admin/faq", cookie, { intent: "down", id: ids[0] });
      assert.equal(res.status, 303);
      const faq = await (await client(app).request("/faq")).text();
      assert.ok(faq.indexOf(`Second ${tag}?`) < faq.indexOf(`First ${tag}?`));
      const all = (await (await c.json("GET", "/api/admin/faq", undefined, asAdmin)).json()).entries
        .filter((e: { category: string }) => e.category === "payouts").map((e: { id: string }) => e.id);
      const reversed = [...all].reverse();
      const put = await c.json(
        "PUT",
        "/api/admin/faq/order",
        { category: "payouts", ids: reversed },
        asAdmin,
      );
      assert.equal(put.status, 200);
      const after = (await put.json()).entries.filter((e: { category: string }) => e.category === "payouts");
      assert.deepEqual(after.map((e: { id: string }) => e.id), reversed);
      const partial = await c.json(
        "PUT",
        "/api/admin/faq/order",
        { category: "payouts", ids: [ids[0]] },
        asAdmin,
      );
      assert.ok((await expectError(partial, 422)).error.fields!.ids);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from audit_log where action = 'admin.faq_reordered' and actor_id = ${admin.userId}`;
      assert.equal(n, 2);
    });

    await t.step("edit (unpublish) and delete; /faq follows; the audit keeps the deleted text", async () => {
      const put = await c.json("PUT", `/api/admin/faq/${ids[1]}`, {
        category: "payouts",
        slug: `second-${tag}`,
        question: `Second ${tag}?`,
        answer: "Changed.",
        published: false,
      }, asAdmin);
      assert.equal(put.status, 200);
      assert.equal((await put.json()).published, false);
      const taken = await postForm(c, "/admin/faq", cookie, {
        intent: "update",
        id: ids[2],
        category: "payouts",
        slug: `first-${tag}`,
        question: "Dup?",
        answer: "Dup.",
      });
      assert.equal(taken.status, 409);
      assert.match(await taken.text(), /id="slug-error"[^>]*>[\s\S]*?is taken/);
      const del = await postForm(c, "/admin/faq", cookie, { intent: "delete", id: ids[0] });
      assert.equal(del.status, 303);
      await expectError(await c.json("DELETE", `/api/admin/faq/${ids[0]}`, undefined, asAdmin), 404);
      const faq = await (await client(app).request("/faq")).text();
      assert.ok(!faq.includes(`First ${tag}?`));
      assert.ok(!faq.includes(`Second ${tag}?`));
      assert.ok(faq.includes(`Third ${tag}?`));
      const [audit] = await deps.db.sql`
        select details from audit_log where action = 'admin.faq_deleted' and target_id = ${ids[0]}`;
      assert.equal(audit.details.question, `First ${tag}?`);
    });
  } finally {
    await close();
  }
});
