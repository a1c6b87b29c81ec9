/**
 * The notification pages, server-rendered and working without JavaScript: the list (newest first, keyset
 * pages, mark one / all read with POST forms) and the mail settings (checkboxes, saved, inline errors).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { addNotification } from "../services/notifications/store.ts";
import { mailPreferences } from "../services/notifications/preferences.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

Deno.test("notification pages: list, mark read, mail settings", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const form = (path: string, fields: Record<string, string>) =>
      c.request(path, {
        method: "POST",
        headers: {
          cookie,
          "sec-fetch-site": "same-origin",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      });
    const ids: string[] = [];
    await deps.db.tx(async (tx) => {
      for (let i = 1; i <= 25; i++) {
        const added = await addNotification(tx, {
          userId: trader.userId,
          type: i % 2 ? "daily_loss_warning" : "breach",
          accountId: null,
          dedupeKey: `page-test:${i}`,
          title: `Notification number ${i}`,
          body: `Body ${i}`,
        });
        ids.push(added!.notification.id);
      }
    });

    await t.step("signed out: sent to sign in", async () => {
      const res = await c.request("/dashboard/notifications", { redirect: "manual" });
      assert.equal(res.status, 303);
      assert.match(res.headers.get("location")!, /^\/signin\?next=%2Fdashboard%2Fnotifications/);
    });

    await t.step("the list: newest first, 20 a page, the bell with its count, pages by cursor", async () => {
      const res = await c.request("/dashboard/notifications", { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const html = await res.text();
      const text = textOf(html);
      assert.match(text, /Notification number 25 .*Notification number 24/);
      assert.doesNotMatch(text, /Notification number 5 /);
      assert.match(html, /aria-label="Notifications, 25 unread"/);
      const older = /href="\/dashboard\/notifications\?cursor=(\d+)"/.exec(html);
      assert.ok(older, "a link to older notifications");
      const next = textOf(
        await (await c.request(`/dashboard/notifications?cursor=${older[1]}`, {
          headers: { cookie },
        })).text(),
      );
      assert.match(next, /Notification number 5 .*Notification number 1 /);
      assert.doesNotMatch(next, /Notification number 6 /);
      // A hostile cursor is the first page, not an error.
      const odd = await c.request("/dashboard/notifications?cursor=%27%3B--", { headers: { cookie } });
      assert.equal(odd.status, 200);
      await odd.body?.cancel();
    });

    await t.step("mark one read, then all (POST forms → 303 back); a bad form → 422 inline", async () => {
      const one = await form("/dashboard/notifications", { intent: "read", id: ids[24] });
      assert.equal(one.status, 303);
      assert.equal(one.headers.get("location"), "/dashboard/notifications?marked=one");
      const after = await (await c.request("/dashboard/notifications?marked=one", { headers: { cookie } }))
        .text();
      assert.match(after, /aria-label="Notifications, 24 unread"/);
      assert.match(textOf(after), /Marked read\./);

      const bad = await form("/dashboard/notifications", { intent: "read", id: "not-an-id" });
      assert.equal(bad.status, 422);
      assert.match(textOf(await bad.text()), /could not be understood/);

      const other = await signUp(app);
      await form("/dashboard/notifications", { intent: "read-all" });
      const [{ n }] = await deps.db.sql<{ n: number }[]>`
        select count(*)::int as n from notifications where user_id = ${trader.userId} and read_at is null`;
      assert.equal(n, 0);
      const empty = await (await c.request("/dashboard/notifications", {
        headers: { cookie: cookieFor(other) },
      })).text();
      assert.match(textOf(empty), /Nothing yet/);
    });

    await t.step(
      "mail settings: all on by default, saved by the form, a bad value refused inline",
      async () => {
        const res = await c.request("/account/notifications", { headers: { cookie } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.equal((html.match(/type="checkbox"[^>]*checked/g) ?? []).length, 6);
        assert.match(textOf(html), /Daily loss limit at 50 % \/ 80 %/);

        const saved = await form("/account/notifications", { email_breach: "on", email_pause: "on" });
        assert.equal(saved.status, 303);
        assert.equal(saved.headers.get("location"), "/account/notifications?saved");
        const prefs = await mailPreferences(deps.db.sql, trader.userId);
        assert.deepEqual(prefs, {
          breach: true,
          pause: true,
          phase_passed: false,
          kyc_pending: false,
          daily_loss_warning: false,
          max_loss_warning: false,
        });
        const shown = await (await c.request("/account/notifications?saved", { headers: { cookie } })).text();
        assert.equal((shown.match(/type="checkbox"[^>]*checked/g) ?? []).length, 2);
        assert.match(textOf(shown), /have been saved/);

        const bad = await form("/account/notifications", { email_breach: "yes please" });
        assert.equal(bad.status, 422);
        const text = textOf(await bad.text());
        assert.match(text, /Account failed must be ticked or not/);
        assert.equal((await mailPreferences(deps.db.sql, trader.userId)).pause, true, "nothing saved");
      },
    );

    await t.step("the security page links to the settings", async () => {
      const html = await (await c.request("/account/security", { headers: { cookie } })).text();
      assert.match(html, /href="\/account\/notifications"/);
    });
  } finally {
    await close();
  }
});
