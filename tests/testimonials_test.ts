import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

const HTML = "text/html; charset=utf-8";

/** A form POST as a browser sends it from one of our pages. */
function post(c: TestClient, path: string, cookie: string, fields: Record<string, string>) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { cookie, "sec-fetch-site": "same-origin" },
  });
}

/** The home page as an anonymous visitor gets it (the cached copy once cached). */
async function home(c: TestClient): Promise<string> {
  const res = await c.request("/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), HTML);
  return await res.text();
}

/** Waits until this process's page cache has dropped `/` (Redis delivers invalidations asynchronously). */
async function settle(app: { pageCache: { size: number } }, before: number) {
  for (let i = 0; i < 50 && app.pageCache.size >= before && before > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("testimonials: admins manage them in the back office; the home page shows the published ones", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const adminCookie = cookieFor(admin);
    const tag = crypto.randomUUID().slice(0, 8);
    const quote = `Clear rules, and the payout arrived on the day promised. (${tag})`;
    let id = "";

    await t.step(
      "non-staff and staff without plans.manage get the 404 page; anonymous visitors sign in",
      async () => {
        const trader = await signUp(app);
        const support = await makeStaff(deps, "support");
        for (const who of [trader, support]) {
          const res = await c.request("/admin/testimonials", { headers: { cookie: cookieFor(who) } });
          assert.equal(res.status, 404);
          assert.equal(res.headers.get("content-type"), HTML);
          assert.match(await res.text(), /This page does not exist/);
          const refused = await post(c, "/admin/testimonials", cookieFor(who), {
            intent: "create",
            quote,
            authorName: "Mallory",
          });
          assert.equal(refused.status, 404);
          await refused.body?.cancel();
        }
        const anonymous = await c.request("/admin/testimonials");
        assert.equal(anonymous.status, 303);
        assert.equal(anonymous.headers.get("location"), "/signin?next=%2Fadmin%2Ftestimonials");
        const [{ n }] = await deps.db
          .sql`select count(*)::int as n from testimonials where author_name = 'Mallory'`;
        assert.equal(n, 0);
      },
    );

    await t.step("the back office lists the page in its navigation for admins only", async () => {
      const res = await c.request("/admin", { headers: { cookie: adminCookie } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<a href="\/admin\/testimonials" class="nav-link">Testimonials<\/a>/);
      const risk = await makeStaff(deps, "risk");
      const theirs = await (await c.request("/admin", { headers: { cookie: cookieFor(risk) } })).text();
      const nav = theirs.match(/<nav aria-label="Back office"[\s\S]*?<\/nav>/)?.[0] ?? "";
      assert.match(nav, /Overview/);
      assert.doesNotMatch(nav, /Testimonials/);
    });

    await t.step("invalid input: 422, the errors next to their fields, typed values kept", async () => {
      const res = await post(c, "/admin/testimonials", adminCookie, {
        intent: "create",
        quote: "Too short",
        authorName: "",
        position: "x",
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /id="quote-error"[^>]*>[\s\S]*?Quote must be at least 10 characters\./);
      assert.match(html, /id="authorName-error"[^>]*>[\s\S]*?Author is required\./);
      assert.match(html, /id="position-error"/);
      assert.match(html, /<textarea[^>]*aria-invalid="true"[^>]*>Too short<\/textarea>/);
    });

    await t.step("a draft is not on the home page", async () => {
      assert.ok(!(await home(c)).includes(tag)); // warms the cache
      const res = await post(c, "/admin/testimonials", adminCookie, {
        intent: "create",
        quote,
        authorName: "Marta K.",
        authorDetail: "Funded trader, Two-Step 100K",
        position: "1",
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/testimonials?saved=created");
      [{ id }] = await deps.db.sql<{ id: string }[]>`select id from testimonials where quote = ${quote}`;
      assert.ok(!(await home(c)).includes(tag));
      const list =
        await (await c.request("/admin/testimonials?saved=created", { headers: { cookie: adminCookie } }))
          .text();
      assert.match(list, /The testimonial has been added\./);
      assert.ok(list.includes(tag));
      assert.match(list, /Draft · position 1/);
    });

    await t.step("published: the cached home page is dropped and shows it", async () => {
      const cached = await c.request("/");
      assert.equal(cached.headers.get("x-page-cache"), "hit");
      await cached.body?.cancel();
      const before = app.pageCache.size;
      const res = await post(c, "/admin/testimonials", adminCookie, { intent: "publish", id });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/testimonials?saved=published");
      await settle(app, before);
      const html = await home(c);
      assert.ok(html.includes(tag), "the quote is on the home page");
      assert.match(html, /<h2 id="testimonials"[^>]*>What traders say<\/h2>/);
      assert.match(html, /Marta K\.[\s\S]*Funded trader, Two-Step 100K/);
      assert.doesNotMatch(html, /<script/i);
    });

    await t.step("edited, then unpublished: gone from the home page again", async () => {
      await home(c); // cached again
      const cachedBefore = app.pageCache.size;
      const edited = await post(c, "/admin/testimonials", adminCookie, {
        intent: "update",
        id,
        quote: `${quote} Edited.`,
        authorName: "Marta K.",
        authorDetail: "",
        position: "2",
        published: "on",
      });
      assert.equal(edited.status, 303);
      await settle(app, cachedBefore);
      assert.match(await home(c), new RegExp(`\\(${tag}\\) Edited\\.`));
      await home(c);
      const before = app.pageCache.size;
      const res = await post(c, "/admin/testimonials", adminCookie, { intent: "unpublish", id });
      assert.equal(res.status, 303);
      await settle(app, before);
      assert.ok(!(await home(c)).includes(tag));
    });

    await t.step("delete asks first, then deletes; unknown ids are 404", async () => {
      const ask = await c.request(`/admin/testimonials?delete=${id}`, { headers: { cookie: adminCookie } });
      assert.equal(ask.status, 200);
      assert.match(await ask.text(), /Delete the testimonial by Marta K\.\?/);
      const res = await post(c, "/admin/testimonials", adminCookie, { intent: "delete", id });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/testimonials?saved=deleted");
      const again = await post(c, "/admin/testimonials", adminCookie, { intent: "delete", id });
      assert.equal(again.status, 404);
      await again.body?.cancel();
      const malformed = await c.request("/admin/testimonials?edit=not-an-id", {
        headers: { cookie: adminCookie },
      });
      assert.equal(malformed.status, 404);
      await malformed.body?.cancel();
    });

    await t.step("every change is in the audit log, with the admin as actor", async () => {
      const rows = await deps.db.sql<{ action: string; actor_id: string }[]>`
        select action, actor_id from audit_log where target_type = 'testimonial' and target_id = ${id}
        order by id`;
      assert.deepEqual(rows.map((r) => r.action), [
        "admin.testimonial_created",
        "admin.testimonial_published",
        "admin.testimonial_updated",
        "admin.testimonial_unpublished",
        "admin.testimonial_deleted",
      ]);
      assert.ok(rows.every((r) => r.actor_id === admin.userId));
    });
  } finally {
    await close();
  }
});
