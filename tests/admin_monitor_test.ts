/**
 * The risk monitor and the staff account page through the app: who may open them, the first render sorted
 * by distance to the nearest floor with its filters, and the staff actions as cookie forms (audited, with
 * the history kept).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp, type TestClient } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { updateSelfLocks } from "../services/self_locks/store.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { rollAccount } from "../services/accounts/scheduler.ts";
import { staffActions } from "../services/monitor/queries.ts";
import { formatDateTime } from "../services/time_format.ts";

function post(c: TestClient, path: string, fields: Record<string, string>, cookie: string) {
  return c.request(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "sec-fetch-site": "same-origin", cookie },
  });
}

/** The account ids of the monitor's rows, in the order the page lists them. */
function rowOrder(html: string): string[] {
  return [...html.matchAll(/data-row="([0-9a-f-]{36})"/g)].map((m) => m[1]);
}

Deno.test("risk monitor and staff account page: access, order, filters, audited actions", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const other = await signUp(app);
    const risk = await makeStaff(deps, "risk");
    const support = await makeStaff(deps, "support");
    const near = await openTestAccount(deps.db, trader.userId);
    const far = await openTestAccount(deps.db, trader.userId);
    const untouched = await openTestAccount(deps.db, trader.userId);
    const othersAccount = await openTestAccount(deps.db, other.userId);
    const now = () => new Date().toISOString();
    // Floors of the FTMO-like 100K: daily 95,000, max 90,000. Equity 96,000 → 1 %; 99,000 → 4 %; 100,000 → 5 %.
    for (const [id, equity] of [[near.accountId, "96000.00"], [far.accountId, "99000.00"]]) {
      const res = await postSync(c, deps.config.syncSecret, {
        accountId: id,
        events: [sync.open(`t-${id}`, now()), sync.mark(equity, "100000.00", now())],
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    const monitor = (who: { accessToken: string; refreshToken: string }, query = "") =>
      c.request(`/admin/accounts?email=${encodeURIComponent(trader.email)}${query}`, {
        headers: { cookie: cookieFor(who) },
      });

    await t.step("staff see the trader's live accounts, closest to a floor first", async () => {
      const res = await monitor(risk);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await res.text();
      assert.deepEqual(rowOrder(html), [near.accountId, far.accountId, untouched.accountId]);
      assert.match(html, />1\u00a0%<\/span>/);
      assert.match(html, /\u2212\$4,000/, "today's P&L of the near account");
      assert.ok(!html.includes(other.email), "the email search leaves other traders out");
      assert.match(html, /Breaches and staff actions/);
    });

    await t.step("filters: distance below, status, phase, plan", async () => {
      assert.deepEqual(rowOrder(await (await monitor(risk, "&below=2")).text()), [near.accountId]);
      assert.deepEqual(rowOrder(await (await monitor(risk, "&below=4")).text()), [
        near.accountId,
        far.accountId,
      ]);
      assert.deepEqual(rowOrder(await (await monitor(risk, "&status=paused")).text()), []);
      assert.deepEqual(rowOrder(await (await monitor(risk, "&stage=funded")).text()), []);
      assert.equal(rowOrder(await (await monitor(risk, "&stage=1")).text()).length, 3);
      assert.deepEqual(rowOrder(await (await monitor(risk, `&plan=${far.planId}`)).text()), [far.accountId]);
      const bad = await monitor(risk, "&below=lots");
      assert.equal(bad.status, 422);
      await bad.body?.cancel();
    });

    await t.step("support may watch; a trader gets the 404 page", async () => {
      const res = await monitor(support);
      assert.equal(res.status, 200);
      assert.equal(rowOrder(await res.text()).length, 3);
      const refused = await monitor(trader);
      assert.equal(refused.status, 404);
      assert.equal(refused.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await refused.text(), /This page does not exist/);
      const stream = await c.request("/api/admin/monitor/stream", { headers: { cookie: cookieFor(trader) } });
      assert.equal(stream.status, 403);
      await stream.body?.cancel();
    });

    const page = (who: { accessToken: string; refreshToken: string }, id = near.accountId) =>
      c.request(`/admin/accounts/${id}`, { headers: { cookie: cookieFor(who) } });

    await t.step(
      "the staff account page: the trader's view, owner, plan version, actions for risk",
      async () => {
        const res = await page(risk);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
        const html = await res.text();
        assert.ok(html.includes(trader.email));
        assert.match(html, /version 1/);
        assert.match(html, /data-staff-actions/);
        assert.match(html, /data-action="pause"/);
        assert.match(html, /data-action="close"/);
        assert.ok(!html.includes('data-action="reinstate"'), "an active account has nothing to reinstate");
        assert.match(html, /id="meter-daily"/, "the trader's meters");
      },
    );

    await t.step("support sees the page without actions and cannot post one", async () => {
      const res = await page(support);
      assert.equal(res.status, 200);
      assert.ok(!(await res.text()).includes("data-staff-actions"));
      const refused = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "pause", reason: "Support should not be able to do this." },
        cookieFor(support),
      );
      assert.equal(refused.status, 404);
      await refused.body?.cancel();
      const [{ status }] = await deps.db.sql`select status from accounts where id = ${near.accountId}`;
      assert.equal(status, "active");
    });

    await t.step("a trader gets 404, for their own account too, and for others'", async () => {
      for (const id of [near.accountId, othersAccount.accountId, "not-a-uuid"]) {
        const res = await page(trader, id);
        assert.equal(res.status, 404);
        await res.body?.cancel();
      }
    });

    const reason = "Suspicious copy trading across two accounts";
    await t.step("the staff account page shows the trader's self-locks and whether one holds", async () => {
      const before = await (await page(risk)).text();
      assert.match(before, /Self-locks/);
      assert.match(before, /No self-lock holds: the trader may open trades/);
      // The near account opened one trade today: a limit of one trade a day holds at once.
      await updateSelfLocks(
        deps.db,
        trader.userId,
        { userId: trader.userId, ip: null, userAgent: null },
        near.accountId,
        {
          dailyLossLimit: null,
          maxTradesPerDay: 1,
          cooldownLosses: null,
          cooldownMinutes: null,
        },
        new Date(),
      );
      const html = await (await page(risk)).text();
      assert.match(html, /✕ Locked/);
      assert.match(html, /Max trades per day/);
      assert.match(html, /Today against the trader&#x27;s limits|Today against the trader's limits/);
    });

    await t.step("pause: a short reason is an inline error; a real one pauses, audited", async () => {
      const short = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "pause", reason: "no" },
        cookieFor(risk),
      );
      assert.equal(short.status, 422);
      assert.match(await short.text(), /Reason must explain the decision/);
      // A forged intent is an inline sentence, not zod's wording.
      const forged = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "nuke", reason },
        cookieFor(risk),
      );
      assert.equal(forged.status, 422);
      const forgedHtml = await forged.text();
      assert.match(forgedHtml, /Action must be one of reinstate, pause, close\./);
      assert.doesNotMatch(forgedHtml, /discriminator/i);
      const res = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "pause", reason },
        cookieFor(risk),
      );
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/admin/accounts/${near.accountId}?done=pause`);
      const [row] = await deps.db.sql`
        select a.status, a.engine_state ->> 'pausedUntil' as until from accounts a where id = ${near.accountId}`;
      assert.deepEqual({ ...row }, { status: "paused", until: null });
      const [audit] = await deps.db.sql`
        select actor_id, details from audit_log
        where action = 'admin.account_paused' and target_id = ${near.accountId}`;
      assert.equal(audit.actor_id, risk.userId);
      assert.equal(audit.details.reason, reason);
      const html = await (await page(risk)).text();
      assert.match(html, /data-action="reinstate"/);
      assert.match(html, /Suspicious copy trading/, "the staff trail shows the reason");
      // A staff pause has no end: no badge may promise the next reset (the staff page's header and panel,
      // the trader's account page and dashboard card all said "Paused until the next reset").
      const traderViews = await Promise.all(
        [`/dashboard/accounts/${near.accountId}`, "/dashboard"].map(async (path) => {
          const res = await c.request(path, { headers: { cookie: cookieFor(trader) } });
          assert.equal(res.status, 200, path);
          return await res.text();
        }),
      );
      for (const [where, text] of [["staff page", html], ["trader page", traderViews[0]]]) {
        assert.doesNotMatch(text, /Paused until the next reset/, where);
        assert.match(text, /Paused by staff/, where);
      }
      assert.doesNotMatch(traderViews[1], /Paused until the next reset/, "trader dashboard");
      assert.doesNotMatch(html, /instead of at the next reset/, "the resume form promises no reset either");
      assert.deepEqual(rowOrder(await (await monitor(risk, "&status=paused")).text()), [near.accountId]);
      // A paused account is refused trading by the sync answer.
      const sync1 = await postSync(c, deps.config.syncSecret, {
        accountId: near.accountId,
        events: [sync.mark("96100.00", "100000.00", now())],
      });
      assert.equal((await sync1.json()).trading.allowed, false);
    });

    await t.step("reinstate a paused account: it trades again", async () => {
      const res = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "reinstate", reason },
        cookieFor(risk),
      );
      assert.equal(res.status, 303);
      const [row] = await deps.db.sql`select status from accounts where id = ${near.accountId}`;
      assert.equal(row.status, "active");
      const again = await post(
        c,
        `/admin/accounts/${near.accountId}`,
        { intent: "reinstate", reason },
        cookieFor(risk),
      );
      assert.equal(again.status, 409);
      assert.match(await again.text(), /Only a failed or paused account/);
    });

    await t.step(
      "a failed account reinstated keeps its failure visible; close ends it, audited",
      async () => {
        const breach = await postSync(c, deps.config.syncSecret, {
          accountId: far.accountId,
          events: [sync.mark("94000.00", "100000.00", now())],
        });
        assert.equal((await breach.json()).account.status, "failed");
        const feed = await (await monitor(risk)).text();
        assert.match(feed, new RegExp(`data-breach="${far.accountId}"`), "the breach is in the feed");
        assert.ok(!rowOrder(feed).includes(far.accountId), "a failed account leaves the monitor");
        const res = await post(
          c,
          `/admin/accounts/${far.accountId}`,
          { intent: "reinstate", reason },
          cookieFor(risk),
        );
        assert.equal(res.status, 303);
        const html = await (await page(risk, far.accountId)).text();
        assert.match(html, /was reinstated by staff/);
        const closed = await post(
          c,
          `/admin/accounts/${far.accountId}`,
          { intent: "close", reason },
          cookieFor(risk),
        );
        assert.equal(closed.status, 303);
        const [row] = await deps.db.sql`
        select a.status, c.status as challenge from accounts a join challenges c on c.id = a.challenge_id
        where a.id = ${far.accountId}`;
        assert.deepEqual({ ...row }, { status: "closed", challenge: "cancelled" });
        const actions = await deps.db.sql`
        select action from audit_log where target_id = ${far.accountId} and action like 'admin.%' order by id`;
        assert.deepEqual(actions.map((a) => a.action), ["admin.account_reinstated", "admin.account_closed"]);
        const refused = await postSync(c, deps.config.syncSecret, {
          accountId: far.accountId,
          events: [sync.mark("94000.00", "100000.00", now())],
        });
        assert.equal(refused.status, 409);
        await refused.body?.cancel();
        assert.match(
          await (await page(risk, far.accountId)).text(),
          /Closed accounts take no further action/,
        );
        // The monitor no longer lists it; its feed says why, newest first: closed, reinstated, the breach.
        const after = await (await monitor(risk)).text();
        const closedAt = after.search(
          new RegExp(
            `data-staff-action="closed" data-account="${far.accountId}"[^>]*>[\\s\\S]*?Closed by staff`,
          ),
        );
        const reinstatedAt = after.search(
          new RegExp(
            `data-staff-action="reinstated" data-account="${far.accountId}"[^>]*>[\\s\\S]*?Reinstated by staff`,
          ),
        );
        const breachAt = after.indexOf(`data-breach="${far.accountId}"`);
        assert.ok(
          closedAt >= 0 && reinstatedAt > closedAt && breachAt > reinstatedAt,
          `${closedAt} ${reinstatedAt} ${breachAt}`,
        );
      },
    );

    await t.step(
      "a paused account's last event is its last trade or mark, not a reset; the feed says who paused and resumed it",
      async () => {
        const idle = await openTestAccount(deps.db, trader.userId);
        const admin = await makeStaff(deps, "admin");
        const traded = await postSync(c, deps.config.syncSecret, {
          accountId: idle.accountId,
          events: [sync.open(`t-${idle.accountId}`, now()), sync.mark("99500.00", "100000.00", now())],
        });
        assert.equal(traded.status, 200);
        await traded.body?.cancel();
        const [{ at: lastMark }] = await deps.db.sql`
          select max(at) as at from account_events where account_id = ${idle.accountId}`;
        const paused = await post(
          c,
          `/admin/accounts/${idle.accountId}`,
          { intent: "pause", reason },
          cookieFor(risk),
        );
        assert.equal(paused.status, 303);
        // Days go by while it is paused: the scheduler rolls its resets (the engine's latest instant).
        await rollAccount(deps, idle.accountId, new Date(Date.now() + 3 * 86_400_000));
        const [{ last_event_at: lastReset }] = await deps.db.sql`
          select last_event_at from accounts where id = ${idle.accountId}`;
        assert.ok(lastReset > lastMark, "a reset was rolled after the last mark");
        const rowOf = (html: string) => {
          const row = html.match(new RegExp(`data-row="${idle.accountId}"[\\s\\S]*?</tr>`));
          assert.ok(row, "the paused account is on the monitor");
          return row[0];
        };
        const zone = (await deps.db.sql`select time_zone from users where id = ${risk.userId}`)[0].time_zone;
        const html = await (await monitor(risk, "&status=paused")).text();
        assert.match(rowOf(html), new RegExp(formatDateTime(lastMark, zone)));
        assert.doesNotMatch(rowOf(html), new RegExp(formatDateTime(lastReset, zone)));
        // The feed names the staff member, the account's trader, when and why.
        const item = (html: string, action: string) => {
          const found = html.match(
            new RegExp(
              `<li[^>]*data-staff-action="${action}"[^>]*data-account="${idle.accountId}"[\\s\\S]*?</li>`,
            ),
          );
          assert.ok(found, `a ${action} item in the feed`);
          return found[0];
        };
        const pausedItem = item(html, "paused");
        assert.match(pausedItem, /Paused by staff/);
        assert.ok(pausedItem.includes(risk.email), "who paused it");
        assert.ok(pausedItem.includes(trader.email), "whose account");
        assert.ok(pausedItem.includes(reason), "why");
        const [{ at: pausedAt }] = await deps.db.sql`
          select at from audit_log where action = 'admin.account_paused' and target_id = ${idle.accountId}`;
        assert.match(pausedItem, new RegExp(formatDateTime(pausedAt, zone)));
        // What the live hub reads for a staff change: the audit entry of that account change, by its version.
        const [{ v }] = await deps.db.sql`
          select (details ->> 'stateVersion')::int as v from audit_log
          where action = 'admin.account_paused' and target_id = ${idle.accountId}`;
        const live = await staffActions(deps.db.sql, {
          changes: [{ accountId: idle.accountId, stateVersion: v }, {
            accountId: idle.accountId,
            stateVersion: v + 99,
          }],
        });
        assert.deepEqual(live.map((i) => [i.action, i.actor, i.email, i.at]), [
          ["paused", risk.email, trader.email, pausedAt.toISOString()],
        ]);
        const resumed = await post(
          c,
          `/admin/accounts/${idle.accountId}`,
          { intent: "reinstate", reason },
          cookieFor(admin),
        );
        assert.equal(resumed.status, 303);
        const after = await (await monitor(risk)).text();
        const resumedItem = item(after, "reinstated");
        assert.match(resumedItem, /Resumed by staff/);
        assert.ok(resumedItem.includes(admin.email), "who resumed it");
        assert.ok(
          after.indexOf(resumedItem) < after.indexOf(item(after, "paused")),
          "newest first: the resumption above the pause",
        );
      },
    );
  } finally {
    await close();
  }
});
