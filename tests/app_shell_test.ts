/**
 * The app shell (issue #11, "App shell and look"): where a sign-in lands by role, and the header each role
 * sees, including the narrow-screen menu that works without JavaScript.
 */
import assert from "node:assert/strict";
import { appManifest, openTestApp } from "./helpers/app.ts";
import { createApp } from "../fresh.config.ts";
import { client, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

const HTML = "text/html; charset=utf-8";

function post(c: TestClient, path: string, fields: Record<string, string>) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": "same-origin" },
  });
}

/** The pending-login token the 2FA step of the sign-in form carries. */
function pendingOf(html: string): string {
  const pending = html.match(/name="pending" value="([^"]+)"/)?.[1];
  assert.ok(pending, "no pending login in the code step");
  return pending;
}

/** The `<header>` of a page. */
function headerOf(html: string): string {
  const header = html.match(/<header[\s\S]*?<\/header>/)?.[0];
  assert.ok(header, "no <header>");
  return header;
}

Deno.test("sign-in lands traders on the dashboard and staff in the back office, unless a safe next says otherwise", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const admin = await makeStaff(deps, "admin");
    const support = await makeStaff(deps, "support");

    await t.step("a trader without next → /dashboard", async () => {
      const res = await post(client(app), "/signin", { email: trader.email, password: trader.password });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/dashboard");
      assert.match(res.headers.getSetCookie().join("\n"), /pt_access=/);
    });

    await t.step("a trader with a safe next goes there; an unsafe one is ignored", async () => {
      for (
        const [next, expected] of [
          ["/challenges?size=25K", "/challenges?size=25K"],
          ["https://evil.example/x", "/dashboard"],
          ["//evil.example/x", "/dashboard"],
          ["/\\evil.example", "/dashboard"],
          ["/\tx", "/dashboard"],
        ]
      ) {
        const res = await post(client(app), "/signin", {
          email: trader.email,
          password: trader.password,
          next,
        });
        assert.equal(res.status, 303, next);
        assert.equal(res.headers.get("location"), expected, next);
      }
    });

    for (const [name, staff] of [["admin", admin], ["support", support]] as const) {
      await t.step(`${name} staff, after the 2FA step → /admin (an unsafe next ignored)`, async () => {
        for (
          const [next, expected, code] of [[undefined, "/admin", 0], [
            "https://evil.example",
            "/admin",
            1,
          ]] as const
        ) {
          const c = client(app);
          const fields = { email: staff.email, password: staff.password, ...(next ? { next } : {}) };
          const first = await post(c, "/signin", fields);
          assert.equal(first.status, 200);
          assert.equal(first.headers.get("content-type"), HTML);
          const html = await first.text();
          assert.match(html, /Enter your code/);
          assert.doesNotMatch(html, /evil\.example/, "an unsafe next is not carried into the code step");
          const second = await post(c, "/signin", {
            pending: pendingOf(html),
            code: staff.recoveryCodes[code],
            ...(next ? { next } : {}),
          });
          assert.equal(second.status, 303, await second.text());
          assert.equal(second.headers.get("location"), expected);
        }
      });
    }

    await t.step("signed in, /signin and /signup send each role to its landing page", async () => {
      const c = client(app);
      for (const path of ["/signin", "/signup"]) {
        const asTrader = await c.request(path, { headers: { cookie: cookieFor(trader) } });
        assert.equal(asTrader.status, 303, path);
        assert.equal(asTrader.headers.get("location"), "/dashboard", path);
        const asAdmin = await c.request(path, { headers: { cookie: cookieFor(admin) } });
        assert.equal(asAdmin.status, 303, path);
        assert.equal(asAdmin.headers.get("location"), "/admin", path);
      }
    });
  } finally {
    await close();
  }
});

Deno.test("the header by role: links, current page, and a menu that needs no JavaScript", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const risk = await makeStaff(deps, "risk");

    await t.step("anonymous: site links, sign in and up, a <details> menu; no dashboard", async () => {
      const res = await c.request("/challenges");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.doesNotMatch(html, /<script/i, "the menu needs no script");
      const header = headerOf(html);
      assert.match(header, /<details[^>]*>\s*<summary[^>]*>[\s\S]*Menu\s*<\/summary>/);
      assert.match(header, /href="\/challenges"[^>]*aria-current="page"/);
      assert.match(header, /href="\/signin"/);
      assert.match(header, /href="\/signup"/);
      assert.doesNotMatch(header, /href="\/dashboard|href="\/admin|Sign out/);
    });

    await t.step("a trader: dashboard, history, statistics, account, sign out — no back office", async () => {
      const res = await c.request("/rules", { headers: { cookie: cookieFor(trader) } });
      assert.equal(res.status, 200);
      const header = headerOf(await res.text());
      // In the wide row and again in the menu.
      for (const href of ["/dashboard", "/dashboard/history", "/dashboard/statistics", "/account/security"]) {
        assert.equal(header.split(`href="${href}"`).length - 1, 2, href);
      }
      assert.match(header, />Sign out<\/button>/);
      assert.doesNotMatch(header, /href="\/admin"|Back office/);
      assert.doesNotMatch(header, /href="\/signin"/);
    });

    await t.step("staff also get the back office, marked current inside it", async () => {
      const res = await c.request("/admin", { headers: { cookie: cookieFor(risk) } });
      assert.equal(res.status, 200);
      const html = await res.text();
      const header = headerOf(html);
      assert.equal(header.split(/href="\/admin"[^>]*aria-current="page"[^>]*>Back office/).length - 1, 2);
      assert.match(header, /href="\/dashboard"/);
      // The audit table (the staff member's own sign-in is in it): times in the one format, the zone named once.
      assert.match(
        html,
        /<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d<\/time>/,
      );
      assert.equal(html.split("Times are in ").length - 1, 1);
    });
  } finally {
    await close();
  }
});

Deno.test("contact addresses on the legal pages come from configuration", async () => {
  const { deps, close } = await openTestApp();
  try {
    const config = {
      ...deps.config,
      supportEmail: "help@proptrade.example",
      privacyEmail: "dpo@proptrade.example",
    };
    const app = await createApp({ ...deps, config }, { manifest: await appManifest(), dev: false });
    for (
      const [path, address] of [
        ["/legal/terms", "help@proptrade.example"],
        ["/legal/risk", "help@proptrade.example"],
        ["/legal/privacy", "dpo@proptrade.example"],
      ]
    ) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), HTML, path);
      const html = await res.text();
      assert.ok(html.includes(`<a href="mailto:${address}">${address}</a>`), path);
      assert.doesNotMatch(html, /@localhost/, path);
    }
  } finally {
    await close();
  }
});
