/**
 * The reset scheduler: resets happen at the plan's local time whether or not events arrive, DST-correct, once
 * per account however many processes run it, and a floating loss can fail an account at a reset alone.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openDb } from "../db/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { roundTrip, sync } from "./helpers/sync.ts";
import { testEnv } from "./helpers/env.ts";
import { createBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { rollDueAccounts, startResetScheduler } from "../services/accounts/scheduler.ts";
import { ruleVersionOf } from "../services/accounts/rules.ts";
import { type AccountChange, accountChannel } from "../services/accounts/change_log.ts";
import { applyEvents } from "../services/engine/evaluate.ts";
import { compileRules } from "../services/engine/rules.ts";
import { type BreachEvidence, initialState, LIVE_STATUSES } from "../services/engine/state.ts";
import { toEngineEvent } from "../services/engine/sync_events.ts";
import { CHICAGO_FIVE_PM, ftmo100k, planWith, PRAGUE_MIDNIGHT } from "../services/engine/testing.ts";

async function open() {
  const db = await openTestDb();
  const bus = await createBus({ redisUrl: testEnv.redisUrl });
  return { db, bus, close: async () => (await bus.close(), await db.close()) };
}

/** Collects what is published for one account. */
async function listen(bus: Awaited<ReturnType<typeof open>>["bus"], accountId: string) {
  const got: AccountChange[] = [];
  const stop = await bus.subscribe(accountChannel(accountId), (m) => void got.push(m as AccountChange));
  return { got, stop };
}

async function until(check: () => boolean, what: string, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("a reset alone fails an account with a losing open position; persisted, published, replayable", async () => {
  const deps = await open();
  try {
    const userId = await newUser(deps.db);
    const plan = ftmo100k();
    const at = new Date("2026-03-02T08:00:00Z");
    const { accountId, challengeId, planVersionId } = await openTestAccount(deps.db, userId, { plan, at });
    // Day 1: +3,000 realized, and a position floating −5,500: equity 97,500 is above today's floor (95,000)
    // but below tomorrow's (sod balance 103,000 − 5,000 = 98,000). No event arrives after this.
    const events = [
      sync.open("t1", "2026-03-02T09:00:00Z"),
      ...roundTrip("w1", "3000.00", "2026-03-02T09:10:00Z"),
      sync.mark("97500.00", "103000.00", "2026-03-02T10:00:00Z"),
    ];
    const synced = await applySync(deps, accountId, events);
    assert.equal(synced.account.status, "active");
    const { got, stop } = await listen(deps.bus, accountId);

    assert.ok(await rollDueAccounts(deps, new Date("2026-03-02T22:59:59Z")) >= 0);
    const [before] = await deps.db.sql`select status from accounts where id = ${accountId}`;
    assert.equal(before.status, "active", "not rolled before Prague midnight");

    await rollDueAccounts(deps, new Date("2026-03-02T23:00:00Z"));
    const [account] = await deps.db.sql`select status, next_reset_at from accounts where id = ${accountId}`;
    assert.equal(account.status, "failed");
    assert.equal(account.next_reset_at, null);
    const [row] = await deps.db.sql<{ rule: string; at: Date; evidence: BreachEvidence }[]>`
      select rule, at, evidence from breaches where account_id = ${accountId}`;
    assert.equal(row.rule, "daily_loss");
    assert.equal(row.at.toISOString(), "2026-03-02T23:00:00.000Z");
    assert.deepEqual(row.evidence.cause, { type: "reset", at: "2026-03-02T23:00:00.000Z" });
    assert.equal(row.evidence.floor, "98000.00");
    assert.equal(row.evidence.observed, "97500.00");
    assert.deepEqual(row.evidence.anchor, { kind: "sod_balance", value: "103000.00" });
    assert.deepEqual(row.evidence.openPositions.map((p) => p.tradeId), ["t1"]);
    // Replaying the same inputs through the pure core reproduces the verdict, hash included.
    const rules = compileRules(plan, 0, ruleVersionOf(planVersionId, 0));
    const replay = applyEvents(initialState(rules, at), [
      ...events.map(toEngineEvent),
      { type: "reset", at: Date.parse("2026-03-02T23:00:00Z") },
    ], rules);
    assert.deepEqual(replay.state.breach, row.evidence);

    const [change] = await deps.db.sql`
      select kind, at from account_changes where account_id = ${accountId} order by state_version desc limit 1`;
    assert.equal(change.kind, "reset");
    assert.equal(change.at.toISOString(), "2026-03-02T23:00:00.000Z");
    await until(() => got.length > 0, "the reset change on the bus");
    assert.equal(got[0].kind, "reset");
    assert.equal(got[0].account.status, "failed");
    assert.ok(got[0].verdicts.some((v) => v.type === "breach"));
    const [challenge] = await deps.db.sql`select status from challenges where id = ${challengeId}`;
    assert.equal(challenge.status, "failed");
    await stop();
  } finally {
    await deps.close();
  }
});

Deno.test("DST: Prague and Chicago accounts roll at the right UTC instants across spring and autumn changes", async (t) => {
  const deps = await open();
  try {
    const userId = await newUser(deps.db);
    const sweeps = [
      {
        name: "Chicago 17:00, US spring forward (8 Mar 2026)",
        reset: CHICAGO_FIVE_PM,
        from: "2026-03-06T12:00:00Z",
        expected: [
          "2026-03-06T23:00:00Z",
          "2026-03-07T23:00:00Z",
          "2026-03-08T22:00:00Z",
          "2026-03-09T22:00:00Z",
        ],
      },
      {
        name: "Prague 00:00, EU spring forward (29 Mar 2026)",
        reset: PRAGUE_MIDNIGHT,
        from: "2026-03-27T12:00:00Z",
        expected: [
          "2026-03-27T23:00:00Z",
          "2026-03-28T23:00:00Z",
          "2026-03-29T22:00:00Z",
          "2026-03-30T22:00:00Z",
        ],
      },
      {
        name: "Prague 00:00, EU fall back (25 Oct 2026)",
        reset: PRAGUE_MIDNIGHT,
        from: "2026-10-23T12:00:00Z",
        expected: [
          "2026-10-23T22:00:00Z",
          "2026-10-24T22:00:00Z",
          "2026-10-25T23:00:00Z",
          "2026-10-26T23:00:00Z",
        ],
      },
      {
        name: "Chicago 17:00, US fall back (1 Nov 2026)",
        reset: CHICAGO_FIVE_PM,
        from: "2026-10-30T12:00:00Z",
        expected: [
          "2026-10-30T22:00:00Z",
          "2026-10-31T22:00:00Z",
          "2026-11-01T23:00:00Z",
          "2026-11-02T23:00:00Z",
        ],
      },
    ];
    for (const sweep of sweeps) {
      await t.step(sweep.name, async () => {
        const plan = planWith({ maxLoss: { percent: "10", mode: "static", lockAtOffset: null } }, {
          reset: sweep.reset,
        });
        const { accountId } = await openTestAccount(deps.db, userId, { plan, at: new Date(sweep.from) });
        const { got, stop } = await listen(deps.bus, accountId);
        // Every half hour for four days: each reset must be rolled at the tick on its instant, not before.
        const rolledAt: string[] = [];
        for (
          let tick = Date.parse(sweep.from);
          tick <= Date.parse(sweep.from) + 4 * 86_400_000;
          tick += 1_800_000
        ) {
          await rollDueAccounts(deps, new Date(tick));
          const [row] = await deps.db.sql`select state_version from accounts where id = ${accountId}`;
          if (row.state_version > rolledAt.length) rolledAt.push(new Date(tick).toISOString());
        }
        const iso = (s: string) => new Date(s).toISOString();
        assert.deepEqual(rolledAt, sweep.expected.map(iso));
        const changes = await deps.db.sql`
          select at from account_changes where account_id = ${accountId} and kind = 'reset' order by state_version`;
        assert.deepEqual(changes.map((c) => c.at.toISOString()), sweep.expected.map(iso));
        await until(() => got.length === sweep.expected.length, "every reset published");
        await stop();
      });
    }
  } finally {
    await deps.close();
  }
});

Deno.test("two scheduler processes roll each due account exactly once (SKIP LOCKED)", async () => {
  const deps = await open();
  // The other process: its own connection pool on the same schema (embedded mode has one connection only).
  const [{ schema }] = await deps.db.sql`select current_schema() as schema`;
  const other = testEnv.databaseUrl ? await openDb({ url: testEnv.databaseUrl, schema, poolMax: 4 }) : null;
  try {
    const userId = await newUser(deps.db);
    const at = new Date("2026-04-06T08:00:00Z");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await openTestAccount(deps.db, userId, { at })).accountId);
    const now = new Date("2026-04-06T22:30:00Z"); // after Prague midnight (22:00Z in summer)
    const second = other ? { db: other, bus: deps.bus } : deps;
    await Promise.all([
      rollDueAccounts(deps, now, { batchSize: 3 }),
      rollDueAccounts(second, now, { batchSize: 3 }),
    ]);
    const rows = await deps.db.sql`
      select account_id, count(*)::int as n from account_changes
      where account_id in ${deps.db.sql(ids)} and kind = 'reset' group by account_id`;
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => r.n === 1), JSON.stringify(rows));
  } finally {
    await other?.close();
    await deps.close();
  }
});

Deno.test("the due-reset index covers exactly the live statuses, so the scheduler's query can use it", async () => {
  // The scheduler selects `status in <LIVE_STATUSES>`; a partial index on another list would be skipped (a
  // sequential scan of every account per tick) or would miss live accounts.
  const db = await openTestDb();
  try {
    const [row] = await db.sql<{ def: string }[]>`
      select indexdef as def from pg_indexes
      where indexname = 'accounts_next_reset_idx' and schemaname = current_schema()`;
    assert.ok(row, "accounts_next_reset_idx exists");
    const predicate = row.def.slice(row.def.toLowerCase().indexOf(" where "));
    const listed = [...predicate.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    assert.deepEqual(listed.sort(), [...LIVE_STATUSES].sort(), row.def);
  } finally {
    await db.close();
  }
});

Deno.test("startResetScheduler rolls with the injected clock and stops cleanly", async () => {
  const deps = await open();
  try {
    const userId = await newUser(deps.db);
    const { accountId } = await openTestAccount(deps.db, userId, { at: new Date("2026-05-04T08:00:00Z") });
    const { got, stop: unsubscribe } = await listen(deps.bus, accountId);
    const stop = startResetScheduler(deps, {
      intervalMs: 5,
      graceMs: 2000,
      clock: () => new Date("2026-05-04T22:00:01Z"), // inside the grace: not yet
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 0, "a reset is rolled only once the grace has passed");
    await stop();

    const stop2 = startResetScheduler(deps, { intervalMs: 5, clock: () => new Date("2026-05-04T22:00:05Z") });
    await until(() => got.length > 0, "the scheduled reset");
    await stop2();
    assert.equal(got[0].kind, "reset");
    assert.equal(got[0].at, "2026-05-04T22:00:00.000Z", "applied at the reset's own instant");
    await unsubscribe();
  } finally {
    await deps.close();
  }
});
