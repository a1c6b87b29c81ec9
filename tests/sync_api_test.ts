/**
 * `POST /api/trading/demo-sync` end to end: the webhook-style signature, validation that names the event and
 * field, idempotency, late events, and the phase lifecycle a connector drives through it.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { openSibling } from "./helpers/sync_accounts.ts";
import { postSync, roundTrip, sync } from "./helpers/sync.ts";
import { signSync } from "../services/accounts/sync_signature.ts";
import { activateFundedAccount } from "../services/accounts/activate.ts";
import { Conflict } from "../lib/errors.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { type PlanDefinition, planDefinitionSchema } from "../services/plans/definition.ts";

/** Two phases (10 % then 5 %), one trading day each, FTMO-style loss rules. */
function twoPhasePlan(): PlanDefinition {
  const base = ftmo100k({ minTradingDays: 1 });
  const [phase] = base.phases;
  return planDefinitionSchema.parse({
    ...base,
    phases: [phase, { ...phase, name: "Verification", profitTarget: { percent: "5" } }],
  });
}

const START = new Date("2026-03-02T08:00:00Z");

Deno.test("demo-sync: signature, validation, idempotency and late events", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const { accountId } = await openTestAccount(deps.db, trader.userId, { at: START });
    const e1 = sync.mark("100100.00", "100000.00", "2026-03-02T09:00:00Z");
    const e2 = sync.mark("100200.00", "100000.00", "2026-03-02T09:01:00Z");
    const body = { accountId, events: [e1, e2] };
    const version = async () =>
      (await deps.db.sql`select state_version from accounts where id = ${accountId}`)[0].state_version;

    await t.step("missing, malformed, wrong, stale or future signatures → 401; nothing applied", async () => {
      const raw = JSON.stringify(body);
      const now = new Date();
      const cases: [string, string | null][] = [
        ["missing", null],
        ["malformed", "v1=abc"],
        ["wrong secret", signSync("not-the-secret", raw, now)],
        ["6 minutes old", signSync(secret, raw, new Date(+now - 6 * 60_000))],
        ["6 minutes ahead", signSync(secret, raw, new Date(+now + 6 * 60_000))],
        ["signed for another body", signSync(secret, raw.replace("100100.00", "100900.00"), now)],
      ];
      for (const [what, header] of cases) {
        await expectError(await postSync(c, secret, raw, { header }), 401, "unauthorized", what);
      }
      assert.equal(await version(), 0);
    });

    await t.step("malformed events → 422 naming index, id and field; nothing applied", async () => {
      const bad = { ...e2, id: "bad-one", equity: "12,5" };
      const res = await postSync(c, secret, { accountId, events: [e1, bad, { id: "x", type: "teleport" }] });
      const { error } = await expectError(res, 422, "unprocessable");
      assert.match(error.fields!["events.1.equity"], /bad-one/);
      assert.ok(error.fields!["events.2.type"]);
      assert.equal(await version(), 0);
    });

    await t.step("unknown account → 404; not JSON → 400", async () => {
      await expectError(await postSync(c, secret, { accountId: crypto.randomUUID(), events: [e1] }), 404);
      await expectError(await postSync(c, secret, "{not json"), 400);
    });

    await t.step("applied once: repeated ids in a batch and a re-sent batch are duplicates", async () => {
      const res = await postSync(c, secret, { accountId, events: [e1, e2, e1] });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const first = await res.json();
      assert.deepEqual([first.accepted, first.duplicates], [2, 1]);
      assert.equal(first.account.equity, "100200.00");
      assert.equal(first.account.status, "active");
      assert.deepEqual(first.breaches, []);
      assert.equal(first.trading.allowed, true);

      const again = await (await postSync(c, secret, body)).json();
      assert.deepEqual([again.accepted, again.duplicates], [0, 2]);
      assert.equal(await version(), 2);
    });

    await t.step("a new event older than the last applied one is `late`; the others apply", async () => {
      const late = sync.mark("99000.00", "100000.00", "2026-03-02T08:59:00Z");
      const next = sync.mark("99500.00", "100000.00", "2026-03-02T09:30:00Z");
      const res = await postSync(c, secret, { accountId, events: [next, e1, late] });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.deepEqual([body.accepted, body.duplicates, body.late], [1, 1, 1]);
      assert.deepEqual(body.results.map((r: { outcome: string }) => r.outcome), [
        "applied",
        "duplicate",
        "late",
      ]);
      assert.match(body.results[2].reason, /older than the account's last applied instant/);
      assert.equal(await version(), 3);
    });
  } finally {
    await close();
  }
});

Deno.test("demo-sync drives the lifecycle: phase 1 → phase 2 → funded (pending KYC)", async () => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const { accountId, challengeId } = await openTestAccount(deps.db, trader.userId, {
      plan: twoPhasePlan(),
      at: START,
    });
    const phase1 = await (await postSync(c, secret, {
      accountId,
      events: roundTrip("p1", "10000.00", "2026-03-02T09:00:00Z"),
    })).json();
    assert.equal(phase1.account.status, "passed");
    assert.equal(phase1.next.phase, 2);
    assert.equal(phase1.next.status, "active");
    const [challenge] = await deps.db
      .sql`select status, current_phase from challenges where id = ${challengeId}`;
    assert.deepEqual({ ...challenge }, { status: "active", current_phase: 2 });

    const progress1 =
      await (await trader.client.json("GET", `/api/challenges/${challengeId}/progress`, undefined, {
        bearer: trader.accessToken,
      })).json();
    assert.equal(progress1.phase, 2);
    assert.equal(progress1.accountId, phase1.next.accountId);

    // A later batch for the passed account is recorded, not evaluated, and points at the successor again.
    const stray = await (await postSync(c, secret, {
      accountId,
      events: [sync.mark("110000.00", "110000.00", "2026-03-02T09:05:00Z")],
    })).json();
    assert.equal(stray.account.status, "passed");
    assert.equal(stray.next.accountId, phase1.next.accountId);

    const phase2 = await (await postSync(c, secret, {
      accountId: phase1.next.accountId,
      events: roundTrip("p2", "5000.00", "2026-03-02T10:00:00Z"),
    })).json();
    assert.equal(phase2.account.status, "passed");
    assert.equal(phase2.next.type, "funded");
    assert.equal(phase2.next.status, "pending_kyc");
    const [ended] = await deps.db.sql`select status, ended_at from challenges where id = ${challengeId}`;
    assert.equal(ended.status, "passed");
    assert.ok(ended.ended_at);

    const res = await trader.client.json("GET", `/api/challenges/${challengeId}/progress`, undefined, {
      bearer: trader.accessToken,
    });
    assert.equal(res.status, 200);
    const progress = await res.json();
    assert.equal(progress.status, "passed");
    assert.equal(progress.phase, 2);
    assert.equal(progress.fundedAccountId, phase2.next.accountId);
    assert.ok(
      progress.objectives.every((o: { key: string; status: string }) =>
        o.key === "daily_loss" || o.key === "max_loss" ? o.status === "ok" : o.status === "met"
      ),
    );

    // The funded account is not trading until KYC activates it.
    const funded = await postSync(c, secret, {
      accountId: phase2.next.accountId,
      events: [sync.mark("100000.00", "100000.00", "2026-03-02T11:00:00Z")],
    });
    await expectError(funded, 409, "conflict");

    // KYC approval (the hook a later issue calls) starts evaluation from a fresh state at that moment.
    const approvedAt = new Date("2026-03-03T08:00:00Z");
    const activated = await deps.db.tx((tx) => activateFundedAccount(tx, phase2.next.accountId, approvedAt));
    assert.equal(activated.account.status, "active");
    assert.equal(activated.account.balance, "100000.00");
    assert.equal(activated.previousVersion, activated.stateVersion - 1);
    await assert.rejects(
      deps.db.tx((tx) => activateFundedAccount(tx, phase2.next.accountId, approvedAt)),
      Conflict,
      "activating twice is refused",
    );
    const trading = await (await postSync(c, secret, {
      accountId: phase2.next.accountId,
      events: [sync.mark("100250.00", "100000.00", "2026-03-03T09:00:00Z")],
    })).json();
    assert.equal(trading.accepted, 1);
    assert.equal(trading.account.status, "active");
    assert.equal(trading.account.equity, "100250.00");
  } finally {
    await close();
  }
});

Deno.test("demo-sync: 50 concurrent requests re-sending overlapping batches end as sequential ones", async () => {
  const { app, deps, close } = await openTestApp();
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const { accountId: sequential, planVersionId } = await openTestAccount(deps.db, trader.userId, {
      at: START,
    });
    const concurrent = await openSibling(deps.db, trader.userId, planVersionId, START);
    const events = Array.from({ length: 100 }, (_, i) => {
      const at = new Date(Date.parse("2026-03-02T09:00:00Z") + i * 60_000).toISOString();
      return i % 10 === 0
        ? sync.open(`t${i}`, at)
        : i % 10 === 5
        ? sync.close(`t${i - 5}`, `${(i % 7) * 10 - 25}.00`, at)
        : sync.mark(`${99000 + i * 7}.00`, "100000.00", at);
    });
    const batches = Array.from({ length: 50 }, (_, k) => events.slice(0, (k + 1) * 2));
    const c = client(app);
    for (const batch of batches) {
      const res = await postSync(c, secret, { accountId: sequential, events: batch });
      assert.equal(res.status, 200, await res.clone().text());
      await res.body?.cancel();
    }
    const responses = await Promise.all(
      batches.map((batch) => postSync(client(app), secret, { accountId: concurrent, events: batch })),
    );
    const bodies = await Promise.all(responses.map((r) => (assert.equal(r.status, 200), r.json())));
    assert.equal(bodies.reduce((n, b) => n + b.accepted, 0), events.length);
    const rows = await deps.db.sql`
      select id, balance, equity, state_version, engine_state from accounts
      where id in ${deps.db.sql([sequential, concurrent])}`;
    const [s, p] = [rows.find((r) => r.id === sequential)!, rows.find((r) => r.id === concurrent)!];
    assert.deepEqual([p.balance, p.equity, p.state_version], [s.balance, s.equity, s.state_version]);
    assert.deepEqual(p.engine_state, s.engine_state);
  } finally {
    await close();
  }
});
