/**
 * Reading evaluated accounts (progress, breach evidence, the caller's accounts) and the audited reinstatement
 * of a failed account: status → content type → body, and nobody reads another trader's rows (404).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { type AccountChange, accountChannel } from "../services/accounts/change_log.ts";

Deno.test("progress, breach and accounts endpoints; reinstating a failed account is audited", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const [a, b] = [await signUp(app), await signUp(app)];
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    const { accountId, challengeId } = await openTestAccount(deps.db, a.userId, {
      at: new Date("2026-03-02T08:00:00Z"),
    });
    const failed = await (await postSync(c, deps.config.syncSecret, {
      accountId,
      events: [
        sync.open("t1", "2026-03-02T09:00:00Z"),
        sync.mark("94999.99", "100000.00", "2026-03-02T10:00:00Z"),
      ],
    })).json();
    assert.equal(failed.account.status, "failed");
    const get = (who: { auth: Record<string, string> } | null, path: string) =>
      c.request(path, { headers: who?.auth ?? {} });

    await t.step("GET /api/accounts/:id/breach: the owner and staff read the evidence", async () => {
      const res = await get(a, `/api/accounts/${accountId}/breach`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.equal(body.breach.rule, "daily_loss");
      assert.equal(body.breach.floor, "95000.00");
      assert.equal(body.breach.observed, "94999.99");
      assert.equal(body.breach.inputsHash, failed.breaches[0].inputsHash);
      assert.deepEqual(body.history, [body.breach]);
      assert.equal((await get(support, `/api/accounts/${accountId}/breach`)).status, 200);
    });

    await t.step("another trader, unknown and malformed ids get 404; anonymous 401", async () => {
      await expectError(await get(b, `/api/accounts/${accountId}/breach`), 404, "not_found");
      await expectError(await get(b, `/api/challenges/${challengeId}/progress`), 404, "not_found");
      const denied = await deps.db.sql`
        select target_type, target_id from audit_log
        where action = 'authz.denied' and actor_id = ${b.userId} order by id`;
      assert.deepEqual(denied.map((r) => `${r.target_type}:${r.target_id}`), [
        `account:${accountId}`,
        `challenge:${challengeId}`,
      ]);
      await expectError(await get(a, `/api/accounts/${crypto.randomUUID()}/breach`), 404);
      await expectError(await get(a, `/api/accounts/not-a-uuid/breach`), 404);
      await expectError(await get(a, `/api/challenges/${crypto.randomUUID()}/progress`), 404);
      await expectError(await get(null, `/api/challenges/${challengeId}/progress`), 401);
    });

    await t.step("GET /api/challenges/:id/progress: status, phase, account, objectives, breach", async () => {
      const res = await get(a, `/api/challenges/${challengeId}/progress`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.equal(body.status, "failed");
      assert.equal(body.phase, 1);
      assert.equal(body.accountId, accountId);
      assert.equal(body.breach.rule, "daily_loss");
      const daily = body.objectives.find((o: { key: string }) => o.key === "daily_loss");
      assert.deepEqual([daily.status, daily.floor, daily.current], ["failed", "95000.00", "94999.99"]);
      assert.equal((await get(support, `/api/challenges/${challengeId}/progress`)).status, 200);
    });

    await t.step("GET /api/users/accounts lists the caller's accounts only", async () => {
      const res = await get(a, "/api/users/accounts");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { accounts } = await res.json();
      assert.deepEqual(accounts.map((x: { id: string }) => x.id), [accountId]);
      assert.deepEqual(
        [
          accounts[0].status,
          accounts[0].balance,
          accounts[0].equity,
          accounts[0].dailyFloor,
          accounts[0].maxFloor,
        ],
        ["failed", "100000.00", "94999.99", "95000.00", "90000.00"],
      );
      assert.deepEqual([accounts[0].planName, accounts[0].phaseName], ["Test plan", "Phase"]);
      const other = await (await get(b, "/api/users/accounts")).json();
      assert.deepEqual(other.accounts, []);
    });

    await t.step(
      "PUT /api/admin/accounts/:id: only roles with accounts.reinstate; reason required",
      async () => {
        const put = (who: { accessToken: string }, id: string, body: unknown) =>
          c.json("PUT", `/api/admin/accounts/${id}`, body, { bearer: who.accessToken });
        const reason = "Price feed spike confirmed by the venue";
        await expectError(await put(a, accountId, { action: "reinstate", reason }), 403, "forbidden");
        await expectError(await put(support, accountId, { action: "reinstate", reason }), 403, "forbidden");
        const short = await expectError(
          await put(risk, accountId, { action: "reinstate", reason: "oops" }),
          422,
        );
        assert.ok(short.error.fields?.reason);
        // An action the API does not know is named in plain words, not zod's "Invalid discriminator value".
        const unknown = await expectError(await put(risk, accountId, { action: "nuke", reason }), 422);
        assert.equal(unknown.error.fields?.action, "must be one of reinstate, pause, close");
        await expectError(await put(risk, crypto.randomUUID(), { action: "reinstate", reason }), 404);

        const published: AccountChange[] = [];
        const stop = await deps.bus.subscribe(
          accountChannel(accountId),
          (m) => void published.push(m as AccountChange),
        );
        const res = await put(risk, accountId, { action: "reinstate", reason });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const { account } = await res.json();
        assert.equal(account.status, "active");

        const [audit] = await deps.db.sql`
        select actor_id, details from audit_log
        where action = 'admin.account_reinstated' and target_id = ${accountId}`;
        assert.equal(audit.actor_id, risk.userId);
        assert.equal(audit.details.reason, reason);
        assert.equal(audit.details.breach.inputsHash, failed.breaches[0].inputsHash);
        const [change] = await deps.db.sql`
        select kind, state_version from account_changes where account_id = ${accountId}
        order by state_version desc limit 1`;
        assert.deepEqual({ ...change }, { kind: "admin", state_version: account.stateVersion });
        for (let i = 0; i < 100 && published.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(published[0]?.kind, "admin");
        await stop();
        const [challenge] = await deps.db
          .sql`select status, ended_at from challenges where id = ${challengeId}`;
        assert.deepEqual({ ...challenge }, { status: "active", ended_at: null });

        const breach = await (await get(a, `/api/accounts/${accountId}/breach`)).json();
        assert.equal(breach.breach, null);
        assert.equal(breach.history.length, 1, "the reinstated breach stays in the history");
        await expectError(await put(risk, accountId, { action: "reinstate", reason }), 409, "conflict");
      },
    );

    await t.step(
      "evaluation continues after a reinstatement: still below the floor fails again",
      async () => {
        const res = await (await postSync(c, deps.config.syncSecret, {
          accountId,
          events: [sync.mark("94900.00", "100000.00", "2026-03-02T10:30:00Z")],
        })).json();
        assert.equal(res.account.status, "failed");
        assert.notEqual(res.breaches[0].inputsHash, failed.breaches[0].inputsHash);
        const breach = await (await get(a, `/api/accounts/${accountId}/breach`)).json();
        assert.equal(breach.history.length, 2);
      },
    );
  } finally {
    await close();
  }
});
