/**
 * The back office's user and audit pages, through app.request: status → content type → body. Support finds
 * and reads users without the action forms; an admin suspends from the user page (CSRF-checked form, inline
 * errors); the audit viewer filters by actor, action, target and days in the viewer's zone, pages by keyset,
 * and its CSV is RFC 4180 with formula cells defused.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

const HTML = "text/html; charset=utf-8";

function post(
  c: TestClient,
  path: string,
  fields: Record<string, string>,
  cookie: string,
  site = "same-origin",
) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": site, cookie },
  });
}

Deno.test("admin pages: /admin/users, the user page and its actions", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const [admin, support] = [await makeStaff(deps, "admin"), await makeStaff(deps, "support")];
    const trader = await signUp(app, {
      firstName: "Katherine",
      lastName: `Johnson${crypto.randomUUID().slice(0, 6)}`,
    });
    const [adminCookie, supportCookie] = [cookieFor(admin), cookieFor(support)];

    await t.step(
      "support finds the trader by email; a bad filter is an inline error, not a 500",
      async () => {
        const res = await c.request(`/admin/users?q=${encodeURIComponent(trader.email)}&status=`, {
          headers: { cookie: supportCookie },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.match(html, new RegExp(`href="/admin/users/${trader.userId}"`));
        assert.match(html, /Katherine/);
        const bad = await c.request("/admin/users?role=owner", { headers: { cookie: supportCookie } });
        assert.equal(bad.status, 422);
        assert.equal(bad.headers.get("content-type"), HTML);
        assert.match(await bad.text(), /role alert|role="alert"/);
        const trader404 = await c.request("/admin/users", { headers: { cookie: cookieFor(trader) } });
        assert.equal(trader404.status, 404);
        await trader404.body?.cancel();
      },
    );

    await t.step("the user page: profile, sections, trail; support sees no action forms", async () => {
      const res = await c.request(`/admin/users/${trader.userId}`, { headers: { cookie: supportCookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      for (const h of ["Profile", "Accounts", "Orders", "Payouts", "Signed-in devices", "Audit trail"]) {
        assert.match(html, new RegExp(h), h);
      }
      assert.match(html, /auth\.register/);
      assert.doesNotMatch(html, /name="intent"/);
      const unknown = await c.request(`/admin/users/${crypto.randomUUID()}`, {
        headers: { cookie: supportCookie },
      });
      assert.equal(unknown.status, 404);
      await unknown.body?.cancel();
    });

    await t.step(
      "support cannot suspend; a cross-site form is refused; admin suspends with a reason",
      async () => {
        const path = `/admin/users/${trader.userId}`;
        const refused = await post(
          c,
          path,
          { intent: "suspend", reason: "Testing the rule." },
          supportCookie,
        );
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), /Only admins/);
        const csrf = await post(
          c,
          path,
          { intent: "suspend", reason: "Testing the rule." },
          adminCookie,
          "cross-site",
        );
        assert.equal(csrf.status, 403);
        await csrf.body?.cancel();
        const short = await post(c, path, { intent: "suspend", reason: "no" }, adminCookie);
        assert.equal(short.status, 422);
        assert.match(await short.text(), /Reason is at least 5 characters/);
        const [{ status: still }] = await deps.db.sql`select status from users where id = ${trader.userId}`;
        assert.equal(still, "active");
        const ok = await post(c, path, { intent: "suspend", reason: "Abusive chat messages." }, adminCookie);
        assert.equal(ok.status, 303);
        assert.equal(ok.headers.get("location"), `${path}?done=suspended`);
        const after = await c.request(`${path}?done=suspended`, { headers: { cookie: adminCookie } });
        const html = await after.text();
        assert.match(html, /Suspended/);
        assert.match(html, /Lift the suspension/);
        assert.match(html, /No live sessions/);
        await expectError(
          await c.json("GET", "/api/users/profile", undefined, { headers: trader.auth }),
          401,
        );
      },
    );

    await t.step("role change on the page needs the admin's code", async () => {
      const path = `/admin/users/${trader.userId}`;
      const wrong = await post(c, path, { intent: "role", role: "support", code: "000000" }, adminCookie);
      assert.equal(wrong.status, 422);
      await wrong.body?.cancel();
      const [{ role }] = await deps.db.sql`select role from users where id = ${trader.userId}`;
      assert.equal(role, "trader");
    });
  } finally {
    await close();
  }
});

Deno.test("admin pages: the audit viewer, its API and CSV", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const [admin, risk, support] = [
      await makeStaff(deps, "admin"),
      await makeStaff(deps, "risk"),
      await makeStaff(deps, "support"),
    ];
    await deps.db.sql`update users set time_zone = 'America/New_York' where id = ${admin.userId}`;
    const target = crypto.randomUUID();
    const action = `admin.test_${crypto.randomUUID().slice(0, 8)}`;
    // 01:30 UTC on 2 Jan is 1 Jan, 20:30 in New York; 06:00 UTC on 2 Jan is 2 Jan there.
    await deps.db.sql`
      insert into audit_log (at, actor_id, action, target_type, target_id, user_agent, details) values
        ('2026-01-02T01:30:00Z', ${risk.userId}, ${action}, 'thing', ${target}, '=HYPERLINK("x")', '{"n":1}'),
        ('2026-01-02T06:00:00Z', ${risk.userId}, ${action}, 'thing', ${target}, 'ok', '{"n":2}'),
        ('2026-01-03T06:00:00Z', ${admin.userId}, ${action}, 'thing', ${target}, 'ok, "quoted"', '{"n":3}')`;
    const api = async (query: string, bearer = admin.accessToken) => {
      const res = await c.json("GET", `/api/admin/audit?${query}`, undefined, { bearer });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get("content-type"), "application/json");
      return await res.json() as { items: { details: { n: number } }[]; nextCursor: string | null };
    };
    const ns = (page: { items: { details: { n: number } }[] }) => page.items.map((i) => i.details.n);

    await t.step("filters: action, actor email, target, days in the viewer's zone", async () => {
      assert.deepEqual(ns(await api(`action=${action}`)), [3, 2, 1]);
      assert.deepEqual(
        ns(await api(`action=${action}&actor=${encodeURIComponent(risk.email.toUpperCase())}`)),
        [2, 1],
      );
      assert.deepEqual(ns(await api(`targetType=thing&targetId=${target}`)), [3, 2, 1]);
      assert.deepEqual(ns(await api(`action=${action}&from=2026-01-01&to=2026-01-01`)), [1]);
      assert.deepEqual(ns(await api(`action=${action}&from=2026-01-02`)), [3, 2]);
      assert.ok((await api("action=admin.&limit=1000")).items.length >= 3, "a family of actions by prefix");
    });

    await t.step("keyset pages do not shift when entries are added", async () => {
      const first = await api(`action=${action}&limit=2`);
      assert.deepEqual(ns(first), [3, 2]);
      await deps.db.sql`insert into audit_log (actor_id, action, target_type, target_id, details)
                        values (${admin.userId}, ${action}, 'thing', ${target}, '{"n":4}')`;
      const second = await api(`action=${action}&limit=2&cursor=${first.nextCursor}`);
      assert.deepEqual(ns(second), [1]);
      assert.equal(second.nextCursor, null);
    });

    await t.step("CSV: every match, RFC 4180 quoting, formulas defused", async () => {
      const res = await c.json("GET", `/api/admin/audit?format=csv&action=${action}`, undefined, {
        bearer: admin.accessToken,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
      const text = await res.text();
      const lines = text.split("\r\n");
      assert.match(lines[0], /^id,at,action,actor_email/);
      assert.equal(lines.length, 6); // header, four entries, the empty string after the last CRLF
      assert.ok(text.includes(`"'=HYPERLINK(""x"")"`), "formula prefixed and quotes doubled");
      assert.ok(text.includes(`"ok, ""quoted"""`));
    });

    await t.step("who reads: risk and admin; support and anonymous are refused", async () => {
      assert.equal((await api(`action=${action}`, risk.accessToken)).items.length, 4);
      const refused = await c.json("GET", "/api/admin/audit", undefined, { bearer: support.accessToken });
      assert.ok([403, 404].includes(refused.status));
      await refused.body?.cancel();
      await expectError(await c.json("GET", "/api/admin/audit"), 401, "unauthorized");
      await expectError(
        await c.json("GET", "/api/admin/audit?cursor=zz", undefined, { bearer: risk.accessToken }),
        400,
      );
    });

    await t.step("a day that is not on the calendar is a 422 with the field named, never a 500", async () => {
      // 2026-13-45 matches YYYY-MM-DD yet is no date: reading it in the viewer's zone threw RangeError.
      // 2026-02-30 is silently March 2 to Date.parse; 9999-12-31's next day has no YYYY-MM-DD form.
      for (const query of ["from=2026-13-45", "to=2026-02-30", "to=9999-12-31"]) {
        const body = await expectError(
          await c.json("GET", `/api/admin/audit?${query}`, undefined, { bearer: admin.accessToken }),
          422,
          "unprocessable",
          query,
        );
        assert.ok(body.error.fields?.[query.split("=")[0]], `${query}: the field is named`);
        const page = await c.request(`/admin/audit?${query}`, { headers: { cookie: cookieFor(admin) } });
        assert.equal(page.status, 422, query);
        assert.match(await page.text(), /(From|To) is a date/);
      }
    });

    await t.step(
      "the page: 200 HTML with the entries, zone named, CSV link carrying the filters",
      async () => {
        const res = await c.request(`/admin/audit?action=${action}`, {
          headers: { cookie: cookieFor(admin) },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.match(html, /Times are in/);
        assert.ok(html.includes(`/api/admin/audit?action=${action}&amp;format=csv`));
        assert.equal((html.match(new RegExp(action.replace(".", "\\."), "g")) ?? []).length >= 4, true);
        const bad = await c.request("/admin/audit?from=yesterday", { headers: { cookie: cookieFor(admin) } });
        assert.equal(bad.status, 422);
        assert.match(await bad.text(), /From is a date/);
        const supportPage = await c.request("/admin/audit", { headers: { cookie: cookieFor(support) } });
        assert.equal(supportPage.status, 404);
        await supportPage.body?.cancel();
      },
    );
  } finally {
    await close();
  }
});
