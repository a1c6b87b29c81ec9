/**
 * Payouts end to end through the API (DESIGN §3.2): readiness, the request (step-up, Idempotency-Key, one
 * open request, the withdrawal on the account and in its change log), 100 concurrent requests, staff review
 * (support only reads, four eyes, rejection reverses the withdrawal exactly, mark paid, CSV), mails, audit,
 * and the account's events replaying to its state hash.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { enrolTotp, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { totpCode } from "../services/auth/totp.ts";
import { fundedWithProfit } from "./helpers/payouts.ts";
import { replayAccount } from "../services/accounts/replay.ts";

Deno.test("payouts: request, idempotency, one open request, staff review with four eyes, reversal, replay", async (t) => {
  const { app, deps, inbox, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const other = await signUp(app);
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    const admin = await makeStaff(deps, "admin");
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const c = trader.client;
    const as = (who: { accessToken: string }, headers: Record<string, string> = {}) => ({
      bearer: who.accessToken,
      headers,
    });
    const request = (amount: string, key: string | null, who = trader) =>
      who.client.json(
        "POST",
        "/api/payouts",
        { accountId, amount },
        as(who, key ? { "idempotency-key": key } : {}),
      );
    const accountRow = async () =>
      (await deps.db.sql<{ balance: string; equity: string; daily_floor: string; max_floor: string }[]>`
        select balance, equity, daily_floor, max_floor from accounts where id = ${accountId}`)[0];

    await t.step(
      "GET /api/payouts/readiness: eligible, with the figures; another trader gets 404",
      async () => {
        const res = await c.json(
          "GET",
          `/api/payouts/readiness?accountId=${accountId}`,
          undefined,
          as(trader),
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const r = await res.json();
        assert.equal(r.eligible, true, JSON.stringify(r.conditions));
        assert.deepEqual([r.profit, r.maxAmount, r.maxShare, r.splitPercent, r.minPayout], [
          "3000.00",
          "3000.00",
          "2400.00",
          "80",
          "100.00",
        ]);
        await expectError(
          await other.client.json(
            "GET",
            `/api/payouts/readiness?accountId=${accountId}`,
            undefined,
            as(other),
          ),
          404,
        );
        const [denied] = await deps.db.sql`
        select 1 from audit_log where action = 'authz.denied' and actor_id = ${other.userId} and target_id = ${accountId}`;
        assert.ok(denied, "the refused read is audited");
      },
    );

    await t.step(
      "POST /api/payouts: Idempotency-Key required, step-up required, amount checked",
      async () => {
        await expectError(await request("2500.00", null), 422, undefined, "no key");
        await expectError(await request("3000.01", "k-too-much"), 422, undefined, "over the profit");
        await expectError(await request("124.99", "k-too-little"), 422, undefined, "share below the minimum");
        await deps.db.sql`update auth_sessions set reauthenticated_at = now() - interval '6 minutes'
                        where id = ${trader.sessionId}`;
        await expectError(await request("2500.00", "k-stale"), 403, "step_up_required");
        const reauth = await c.json("POST", "/api/auth/reauth", { password: trader.password }, as(trader));
        assert.equal(reauth.status, 204);
        assert.equal((await deps.db.sql`select 1 from payouts where account_id = ${accountId}`).length, 0);
      },
    );

    const before = await accountRow();
    let payoutId = "";
    await t.step(
      "a request withdraws the gross amount as a withdrawal: floors move, the change says so",
      async () => {
        assert.deepEqual(before, {
          balance: "103000.00",
          equity: "103000.00",
          daily_floor: "95000.00", // the day of the trade: the request rolls the resets since then first
          max_floor: "90000.00",
        });
        const res = await request("2500.00", "key-1");
        assert.equal(res.status, 201, await res.clone().text());
        const p = await res.json();
        payoutId = p.id;
        assert.deepEqual([p.status, p.amount, p.traderShare, p.approvalsRequired], [
          "pending",
          "2500.00",
          "2000.00",
          1,
        ]);
        assert.deepEqual(await accountRow(), {
          balance: "100500.00",
          equity: "100500.00",
          daily_floor: "95500.00",
          max_floor: "90000.00",
        });
        const [change] = await deps.db.sql<{ kind: string; payload: { verdicts: { type: string }[] } }[]>`
        select kind, payload from account_changes where account_id = ${accountId}
        order by state_version desc limit 1`;
        assert.equal(change.kind, "withdrawal");
        assert.deepEqual(change.payload.verdicts.map((v) => v.type), ["withdrawal"]);
        assert.match(inbox.latestTo(trader.email).subject, /received your payout request for \$2,000/);
      },
    );

    await t.step("the same key again → the same payout; another key → 409 (one open request)", async () => {
      const again = await request("2500.00", "key-1");
      assert.equal(again.status, 200);
      assert.equal((await again.json()).id, payoutId);
      await expectError(await request("2400.00", "key-1"), 422, undefined, "key reused for another amount");
      await expectError(await request("100.00", "key-2"), 409);
      const rows = await deps.db.sql`select id from payouts where account_id = ${accountId}`;
      assert.equal(rows.length, 1);
      const list = await (await c.json("GET", "/api/payouts", undefined, as(trader))).json();
      assert.deepEqual(list.items.map((i: { id: string }) => i.id), [payoutId]);
      assert.equal("approvedBy" in list.items[0], false);
    });

    await t.step(
      "support reads the queue but cannot decide; a rejection puts everything back exactly",
      async () => {
        const read = await trader.client.json(
          "GET",
          `/api/admin/payouts?accountId=${accountId}`,
          undefined,
          as(support),
        );
        assert.equal(read.status, 200);
        assert.equal((await read.json()).items[0].id, payoutId);
        await expectError(
          await trader.client.json(
            "PUT",
            `/api/admin/payouts/${payoutId}`,
            { action: "approve" },
            as(support),
          ),
          403,
        );
        await expectError(
          await trader.client.json("PUT", `/api/admin/payouts/${payoutId}`, { action: "reject" }, as(risk)),
          422,
          undefined,
          "a rejection needs a reason",
        );
        const res = await trader.client.json("PUT", `/api/admin/payouts/${payoutId}`, {
          action: "reject",
          reason: "Trading pattern under review",
        }, as(risk));
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal((await res.json()).status, "rejected");
        // As if there had been no withdrawal: today's anchor is the 103,000 balance at the reset (floor 98,000).
        assert.deepEqual(await accountRow(), { ...before, daily_floor: "98000.00" });
        assert.match(inbox.latestTo(trader.email).text, /Trading pattern under review/);
        const audit = await deps.db
          .sql`select action from audit_log where target_id = ${payoutId} order by id`;
        assert.deepEqual(audit.map((a) => a.action), ["payout.requested", "payout.rejected"]);
      },
    );

    await t.step(
      "a rejected request does not start the interval; four eyes: same approver twice is refused",
      async () => {
        deps.config.payoutFourEyesAbove = "1000.00";
        const res = await request("2500.00", "key-3");
        assert.equal(res.status, 201, await res.clone().text());
        const p = await res.json();
        assert.equal(p.approvalsRequired, 2);
        const put = (who: { accessToken: string }, body: unknown) =>
          trader.client.json("PUT", `/api/admin/payouts/${p.id}`, body, as(who));
        const first = await put(risk, { action: "approve" });
        assert.equal(first.status, 200);
        assert.deepEqual([(await first.json()).status], ["pending"]);
        await expectError(await put(risk, { action: "approve" }), 409, undefined, "same approver twice");
        await expectError(
          await put(risk, { action: "mark_paid", reference: "X" }),
          409,
          undefined,
          "not approved",
        );
        const second = await put(admin, { action: "approve" });
        const approved = await second.json();
        assert.deepEqual([approved.status, approved.approvals], ["approved", 2]);
        assert.deepEqual(approved.approvedBy, [risk.userId, admin.userId]);
        await expectError(await put(admin, { action: "mark_paid" }), 422, undefined, "a reference is needed");
        const paid = await (await put(admin, { action: "mark_paid", reference: "SEPA-2026-0042" })).json();
        assert.equal(paid.status, "paid");
        assert.match(inbox.latestTo(trader.email).subject, /was paid/);
        const mine = await (await c.json("GET", "/api/payouts", undefined, as(trader))).json();
        assert.deepEqual(mine.items.map((i: { status: string }) => i.status), ["paid", "rejected"]);
        const readiness =
          await (await c.json("GET", `/api/payouts/readiness?accountId=${accountId}`, undefined, as(trader)))
            .json();
        assert.equal(readiness.conditions.find((x: { key: string }) => x.key === "interval").met, false);
      },
    );

    await t.step("CSV export of the queue", async () => {
      const res = await trader.client.json(
        "GET",
        `/api/admin/payouts?format=csv&accountId=${accountId}`,
        undefined,
        as(admin),
      );
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
      const lines = (await res.text()).trim().split("\r\n");
      assert.equal(lines.length, 3);
      assert.match(lines[0], /^id,requested_at,status,user_email/);
      assert.match(lines[1], /,paid,/);
      assert.match(lines[1], /SEPA-2026-0042/);
    });

    await t.step(
      "the account's events (trades, withdrawals, the reversal) replay to its state hash",
      async () => {
        const { stored, replayed } = await replayAccount(deps.db.sql, accountId);
        assert.equal(replayed, stored);
        const types = await deps.db
          .sql`select type from account_events where account_id = ${accountId} order by state_version`;
        assert.deepEqual(types.map((r) => r.type), [
          "trade_open",
          "trade_close",
          "withdrawal",
          "withdrawal_reversal",
          "withdrawal",
        ]);
      },
    );
  } finally {
    await close();
  }
});

Deno.test("payouts: 100 concurrent requests for one account never withdraw more than the profit", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const { accountId } = await fundedWithProfit(deps, trader.userId, { profit: "3000.00" });
    const responses = await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) =>
          trader.client.json("POST", "/api/payouts", { accountId, amount: i % 2 ? "2500.00" : "1000.00" }, {
            bearer: trader.accessToken,
            headers: { "idempotency-key": `race-${i}` },
          }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map((r) => r.body?.cancel()));
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.ok(statuses.every((s) => s === 201 || s === 409), JSON.stringify(statuses));
    const [{ total }] = await deps.db.sql<{ total: string }[]>`
      select coalesce(sum(amount), 0)::text as total from payouts where account_id = ${accountId}`;
    assert.ok(Number(total) <= 3000, total);
    const [account] = await deps.db.sql<
      { balance: string }[]
    >`select balance from accounts where id = ${accountId}`;
    assert.equal(Number(account.balance), 103000 - Number(total));
  } finally {
    await close();
  }
});

Deno.test("payouts: with 2FA on, the step-up must be a code — a password alone is refused", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const { totpSecret } = await enrolTotp(deps, trader.userId, trader.email);
    const opts = (key: string) => ({ bearer: trader.accessToken, headers: { "idempotency-key": key } });
    const request = (key: string) =>
      trader.client.json("POST", "/api/payouts", { accountId, amount: "1000.00" }, opts(key));
    await expectError(await request("a"), 403, "step_up_required", "signed in before 2FA: no code yet");
    const byPassword = await trader.client.json("POST", "/api/auth/reauth", { password: trader.password }, {
      bearer: trader.accessToken,
    });
    assert.equal(byPassword.status, 204);
    const refused = await expectError(await request("b"), 403, "step_up_required", "password only");
    assert.match(refused.error.message, /authenticator app/);
    const byCode = await trader.client.json("POST", "/api/auth/reauth", {
      code: totpCode(totpSecret, new Date()),
    }, {
      bearer: trader.accessToken,
    });
    assert.equal(byCode.status, 204, await byCode.clone().text());
    const ok = await request("c");
    assert.equal(ok.status, 201, await ok.clone().text());
  } finally {
    await close();
  }
});

Deno.test("payouts: the same Idempotency-Key sent 10 times at once makes one payout; staff cannot decide their own", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const responses = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          trader.client.json("POST", "/api/payouts", { accountId, amount: "1500.00" }, {
            bearer: trader.accessToken,
            headers: { "idempotency-key": "same-key" },
          }),
      ),
    );
    const bodies = await Promise.all(responses.map((r) => r.json()));
    assert.deepEqual(responses.map((r) => r.status).toSorted(), [
      200,
      200,
      200,
      200,
      200,
      200,
      200,
      200,
      200,
      201,
    ]);
    assert.equal(new Set(bodies.map((b) => b.id)).size, 1);
    const [{ n }] = await deps.db.sql<{ n: number }[]>`
      select count(*)::int as n from payouts where account_id = ${accountId}`;
    assert.equal(n, 1);

    // An admin who trades a funded account of their own cannot approve its payout.
    const admin = await makeStaff(deps, "admin");
    const own = await fundedWithProfit(deps, admin.userId);
    const c = trader.client;
    const mine = await c.json("POST", "/api/payouts", { accountId: own.accountId, amount: "1000.00" }, {
      bearer: admin.accessToken,
      headers: { "idempotency-key": "admin-own" },
    });
    assert.equal(mine.status, 201, await mine.clone().text());
    const { id } = await mine.json();
    await expectError(
      await c.json("PUT", `/api/admin/payouts/${id}`, { action: "approve" }, { bearer: admin.accessToken }),
      403,
    );
  } finally {
    await close();
  }
});
