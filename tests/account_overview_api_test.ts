/**
 * GET /api/accounts/:id/overview and POST /api/accounts/:id/what-if through the real app: the engine's meters
 * and answers on a live account, the failed and reinstated readings, and nobody else's account (404).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { ftmo100k } from "../services/engine/testing.ts";

Deno.test("account overview and what-if endpoints", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const [a, b] = [await signUp(app), await signUp(app)];
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    // Opened an hour ago, so "now" is inside the same trading day in most cases; the figures below do not
    // depend on it (a reset rolled by the what-if keeps the balance 100,000 as the anchor).
    const { accountId } = await openTestAccount(deps.db, a.userId, { at: new Date(Date.now() - 3_600_000) });
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const get = (who: { auth: Record<string, string> } | null, path: string) =>
      c.request(path, { headers: who?.auth ?? {} });
    const ask = (who: { accessToken: string }, body: unknown) =>
      c.json("POST", `/api/accounts/${accountId}/what-if`, body, { bearer: who.accessToken });

    const synced = await postSync(c, deps.config.syncSecret, {
      accountId,
      events: [sync.open("t1", at(50 * 60_000)), sync.mark("97000.00", "100000.00", at(40 * 60_000))],
    });
    assert.equal(synced.status, 200);

    await t.step("overview: status → JSON → the engine's meters", async () => {
      const res = await get(a, `/api/accounts/${accountId}/overview`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.equal(body.account.status, "active");
      assert.equal(body.account.equity, "97000.00");
      const daily = body.meters.dailyLoss;
      assert.equal(daily.floor, "95000.00");
      assert.equal(daily.left, "2000.00");
      assert.equal(daily.usedPercent, "60.00");
      assert.equal(daily.level, "caution");
      assert.equal(daily.anchor.kind, "sod_balance");
      assert.equal(daily.method, "$5,000 below the day's starting balance");
      assert.equal(daily.resetZone, "Europe/Prague");
      assert.equal(body.meters.maxLoss.left, "7000.00");
      assert.equal(body.meters.nearest, "daily_loss");
      assert.equal(body.meters.todayPnl, "-3000.00");
      assert.equal(body.breach, null);
      assert.equal(body.reinstated, null);
      assert.equal((await get(support, `/api/accounts/${accountId}/overview`)).status, 200);
    });

    await t.step("what-if: the engine names the loss that breaches now", async () => {
      const res = await ask(a, { question: "loss_to_breach" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { answer } = await res.json();
      assert.equal(answer.rule, "daily_loss");
      assert.equal(answer.breachingEquity, "94999.99");
      assert.equal(answer.loss, "2000.01");
      assert.equal(answer.evidence.floor, "95000.00");
    });

    await t.step("what-if: a close at -6,000 fails on the daily floor; nothing is written", async () => {
      const res = await ask(a, { question: "close_at", pnl: "-6000.00" });
      assert.equal(res.status, 200);
      const { answer } = await res.json();
      assert.equal(answer.after.status, "failed");
      assert.equal(answer.after.balance, "94000.00");
      assert.equal(answer.atNextReset, null);
      const still = await (await get(a, `/api/accounts/${accountId}/overview`)).json();
      assert.equal(still.account.status, "active");
      assert.equal(still.account.balance, "100000.00");
      const bad = await expectError(await ask(a, { question: "close_at", pnl: "lots" }), 422);
      assert.ok(bad.error.fields?.pnl);
      await expectError(await ask(a, { question: "guess" }), 422);
    });

    await t.step("another trader, unknown and malformed ids: 404; anonymous 401", async () => {
      await expectError(await get(b, `/api/accounts/${accountId}/overview`), 404, "not_found");
      await expectError(await ask(b, { question: "loss_to_breach" }), 404, "not_found");
      await expectError(await get(a, `/api/accounts/${crypto.randomUUID()}/overview`), 404);
      await expectError(await get(a, `/api/accounts/not-a-uuid/overview`), 404);
      await expectError(await get(null, `/api/accounts/${accountId}/overview`), 401);
      const [{ count }] = await deps.db.sql<{ count: number }[]>`
        select count(*)::int as count from audit_log
        where action = 'authz.denied' and actor_id = ${b.userId} and target_id = ${accountId}`;
      assert.equal(count, 2);
    });

    await t.step("a breach: failed, the evidence, no what-if answer; reinstated keeps a trace", async () => {
      await postSync(c, deps.config.syncSecret, {
        accountId,
        events: [sync.mark("94000.00", "100000.00", at(30 * 60_000))],
      });
      const failed = await (await get(a, `/api/accounts/${accountId}/overview`)).json();
      assert.equal(failed.account.status, "failed");
      assert.equal(failed.breach.rule, "daily_loss");
      assert.equal(failed.meters.dailyLoss.level, "breached");
      assert.ok(failed.objectives.some((o: { status: string }) => o.status === "failed"));
      const none = await (await ask(a, { question: "loss_to_breach" })).json();
      assert.equal(none.answer, null);

      const res = await c.json("PUT", `/api/admin/accounts/${accountId}`, {
        action: "reinstate",
        reason: "Price feed spike confirmed by the venue",
      }, { bearer: risk.accessToken });
      assert.equal(res.status, 200);
      const back = await (await get(a, `/api/accounts/${accountId}/overview`)).json();
      assert.equal(back.account.status, "active");
      assert.equal(back.breach, null);
      assert.equal(back.reinstated.rule, "daily_loss");
      assert.equal(back.reinstated.observed, "94000.00");
    });

    await t.step("a passed phase links to the account that continues it", async () => {
      const passing = await openTestAccount(deps.db, a.userId, {
        plan: ftmo100k({ minTradingDays: 1 }),
        at: new Date(Date.now() - 3_600_000),
      });
      const res = await postSync(c, deps.config.syncSecret, {
        accountId: passing.accountId,
        events: [sync.open("p1", at(30 * 60_000)), sync.close("p1", "10000.00", at(20 * 60_000))],
      });
      assert.equal((await res.json()).account.status, "passed");
      const body = await (await get(a, `/api/accounts/${passing.accountId}/overview`)).json();
      assert.equal(body.account.status, "passed");
      assert.equal(body.meters.profitTarget.met, true);
      assert.equal(body.next.stageName, "Funded");
      const [funded] = await deps.db.sql<{ id: string }[]>`
        select id from accounts where challenge_id = ${passing.challengeId} and type = 'funded'`;
      assert.equal(body.next.accountId, funded.id);
    });
  } finally {
    await close();
  }
});
