/**
 * Notifications derived from real demo-sync batches: each type once (a resent batch adds nothing), the limit
 * warnings at 50 % / 80 % per trading day (daily) and per account (max), mail per the user's preferences,
 * and the list / mark-read API.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, roundTrip, sync } from "./helpers/sync.ts";
import { ftmo100k, topstep50k } from "../services/engine/testing.ts";
import { deliverNotificationMails } from "../services/notifications/mail.ts";
import { saveMailPreferences } from "../services/notifications/preferences.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";

const START = Date.parse("2026-03-02T08:00:00Z"); // 09:00 in Prague, the test plans' reset zone
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

Deno.test("notifications: derived from sync batches, once each, mailed per preference", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const send = async (accountId: string, events: SyncEvent[]) => {
      const res = await postSync(c, secret, { accountId, events });
      assert.equal(res.status, 200, await res.clone().text());
      return await res.json();
    };
    const notes = async (accountId?: string) =>
      await deps.db.sql<
        { type: string; title: string; body: string; dedupe_key: string; mail_state: string }[]
      >`
        select type, title, body, dedupe_key, mail_state from notifications
        where user_id = ${trader.userId} ${
        accountId ? deps.db.sql`and account_id = ${accountId}` : deps.db.sql``
      }
        order by seq`;
    const types = async (accountId: string) => (await notes(accountId)).map((n) => n.type);

    // FTMO 100K: daily loss 5,000 below the day's start balance (on equity), max loss 10,000 static.
    const { accountId: ftmo } = await openTestAccount(deps.db, trader.userId, { at: new Date(START) });

    await t.step("daily loss 50 %, then 80 %, each once; a resent batch adds nothing", async () => {
      await send(ftmo, [sync.mark("97600.00", "100000.00", iso(START + 1000))]); // 48 %: nothing
      assert.deepEqual(await types(ftmo), []);
      const half = [sync.mark("97400.00", "100000.00", iso(START + 2000))]; // 52 %
      await send(ftmo, half);
      await send(ftmo, half); // the same events again: duplicates
      await send(ftmo, [sync.mark("97300.00", "100000.00", iso(START + 3000))]); // still ≥ 50 %
      assert.deepEqual(await types(ftmo), ["daily_loss_warning"]);
      assert.equal((await notes(ftmo))[0].title, "50\u00a0% of today's daily loss limit used");
      await send(ftmo, [sync.mark("95900.00", "100000.00", iso(START + 4000))]); // 82 %
      await send(ftmo, [sync.mark("97000.00", "100000.00", iso(START + 5000))]); // back below
      await send(ftmo, [sync.mark("95800.00", "100000.00", iso(START + 6000))]); // 84 % again: same day
      assert.deepEqual(await types(ftmo), ["daily_loss_warning", "daily_loss_warning"]);
      assert.equal((await notes(ftmo))[1].title, "80\u00a0% of today's daily loss limit used");
    });

    await t.step("a new trading day warns again; 80 % at once silences 50 %", async () => {
      // Close a losing trade: balance 96,000 (day 1), so day 2's daily floor is 91,000, the max floor 90,000.
      await send(ftmo, [
        sync.open("loss", iso(START + 7000)),
        sync.close("loss", "-4000.00", iso(START + 8000)),
        sync.mark("96000.00", "96000.00", iso(START + 9000)),
      ]);
      const before = (await notes(ftmo)).length;
      // Day 2: equity 94,900 → daily 22 %, max 51 % (50 % warning, once per account).
      await send(ftmo, [sync.mark("94900.00", "96000.00", iso(START + DAY + 1000))]);
      assert.deepEqual((await types(ftmo)).slice(before), ["max_loss_warning"]);
      // 91,900 → daily 82 % and max 81 %: both at 80 % directly.
      await send(ftmo, [sync.mark("91900.00", "96000.00", iso(START + DAY + 2000))]);
      await send(ftmo, [sync.mark("92500.00", "96000.00", iso(START + DAY + 3000))]); // 70 %: no 50 %
      const added = (await notes(ftmo)).slice(before);
      assert.deepEqual(added.map((n) => n.title), [
        "50\u00a0% of the maximum loss limit used",
        "80\u00a0% of today's daily loss limit used",
        "80\u00a0% of the maximum loss limit used",
      ]);
    });

    await t.step("a breach, once", async () => {
      await send(ftmo, [sync.mark("90500.00", "96000.00", iso(START + DAY + 4000))]); // below 91,000
      const all = await notes(ftmo);
      assert.equal(all.filter((n) => n.type === "breach").length, 1);
      assert.match(all.at(-1)!.title, /failed: daily loss limit breached/);
      // The day as every trader-facing day label reads ("2 Jun 2026"), not ISO.
      assert.match(all.at(-1)!.body, / on trading day \d{1,2} [A-Z][a-z]{2} 20\d\d\. /);
    });

    await t.step("a soft pause (Topstep daily loss), once", async () => {
      const { accountId } = await openTestAccount(deps.db, trader.userId, {
        plan: topstep50k(),
        at: new Date(START),
      });
      await send(accountId, [sync.mark("48950.00", "50000.00", iso(START + 1000))]);
      await send(accountId, [sync.mark("48900.00", "50000.00", iso(START + 2000))]); // still paused
      assert.deepEqual(await types(accountId), ["pause"]);
    });

    await t.step("phase passed, and the funded account waiting for KYC, once each", async () => {
      const { accountId } = await openTestAccount(deps.db, trader.userId, {
        plan: ftmo100k({ minTradingDays: 1 }),
        at: new Date(START),
      });
      const result = await send(accountId, roundTrip("win", "10000.00", iso(START + 1000)));
      assert.equal(result.account.status, "passed");
      assert.deepEqual(await types(accountId), ["phase_passed"]);
      const funded = result.next?.accountId ?? result.next?.id;
      assert.ok(funded, `the funded account opened: ${JSON.stringify(result.next)}`);
      assert.deepEqual(await types(funded), ["kyc_pending"]);
    });

    await t.step("mail: every type by default, none of a type turned off", async () => {
      const mailed = async () => {
        while (await deliverNotificationMails(deps) > 0) { /* drain */ }
        return await deps.db.sql<{ subject: string; text_body: string }[]>`
          select subject, text_body from mail_outbox where lower(to_address) = lower(${trader.email})
            and text_body like '%/account/notifications%'`;
      };
      const sent = await mailed();
      assert.equal(sent.length, (await notes()).length, "one mail per notification");
      assert.ok((await notes()).every((n) => n.mail_state === "sent"));
      // A mail header's whitespace is folded to plain spaces by the mail layer (the body keeps U+00A0).
      assert.ok(sent.some((m) => m.subject === "80 % of the maximum loss limit used"));

      await saveMailPreferences(
        deps.db.sql,
        trader.userId,
        new Set(["breach", "pause", "phase_passed", "kyc_pending", "max_loss_warning"] as const),
      );
      const { accountId } = await openTestAccount(deps.db, trader.userId, { at: new Date(START) });
      await send(accountId, [sync.mark("97400.00", "100000.00", iso(START + 1000))]); // daily 52 %
      await send(accountId, [sync.mark("94000.00", "100000.00", iso(START + 2000))]); // daily breach
      assert.deepEqual(await types(accountId), ["daily_loss_warning", "breach"], "in-app is always on");
      const after = await mailed();
      assert.equal(after.length, sent.length + 1, "only the breach is mailed");
      assert.match(after.map((m) => m.subject).join("\n"), /failed: daily loss limit breached/);
      assert.deepEqual((await notes(accountId)).map((n) => n.mail_state), ["none", "sent"]);
    });

    await t.step(
      "API: list newest first in pages, mark one and all read; others' ids do nothing",
      async () => {
        const other = await signUp(app);
        const total = (await notes()).length;
        const list = async (query = "", who = trader) => {
          const res = await who.client.request(`/api/users/notifications${query}`, { headers: who.auth });
          assert.equal(res.status, 200);
          return await res.json();
        };
        const first = await list("?limit=3");
        assert.equal(first.notifications.length, 3);
        assert.equal(first.unread, total);
        const seen = [...first.notifications];
        for (let page = first; page.nextCursor;) {
          page = await list(`?limit=3&cursor=${page.nextCursor}`);
          seen.push(...page.notifications);
        }
        assert.equal(seen.length, total);
        assert.equal(new Set(seen.map((n) => n.id)).size, total);
        const times = seen.map((n) => n.createdAt);
        assert.deepEqual(times, times.toSorted().reverse(), "newest first");
        assert.deepEqual((await list("", other)).notifications, [], "another user sees none");

        const read = (body: unknown, who = trader) =>
          who.client.json("POST", "/api/users/notifications/read", body, { bearer: who.accessToken });
        const byOther = await read({ ids: [seen[0].id] }, other);
        assert.equal(byOther.status, 200);
        assert.equal((await byOther.json()).marked, 0);
        const one = await (await read({ ids: [seen[0].id] })).json();
        assert.deepEqual(one, { marked: 1, unread: total - 1 });
        await expectError(await read({}), 422, "unprocessable");
        await expectError(await read({ ids: ["nope"] }), 422, "unprocessable");
        const all = await (await read({ all: true })).json();
        assert.deepEqual(all, { marked: total - 1, unread: 0 });
        assert.equal((await list("?unread=true")).notifications.length, 0);
      },
    );
  } finally {
    await close();
  }
});
