/**
 * The live engine path below HTTP: `applySync` persists what the core decides, atomically and idempotently,
 * and ends where the simulator ends for the same events.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { roundTrip, sync } from "./helpers/sync.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { type AccountChange, accountChannel } from "../services/accounts/change_log.ts";
import { stateFromJson } from "../services/engine/state.ts";
import { Conflict, NotFound, Unprocessable } from "../lib/errors.ts";
import { ftmo100k, topstep50k } from "../services/engine/testing.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday; Prague resets at 23:00Z

Deno.test("applySync persists trades, events, daily stats, the account and one change per batch", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { plan: ftmo100k(), at: START });
    const published: AccountChange[] = [];
    await bus.subscribe(accountChannel(accountId), (m) => void published.push(m as AccountChange));
    const events = [
      sync.open("t1", "2026-03-02T09:00:00Z"),
      sync.mark("99800.00", "100000.00", "2026-03-02T09:30:00Z"),
      sync.close("t1", "500.00", "2026-03-02T10:00:00Z"),
    ];
    const result = await applySync({ db, bus }, accountId, events);
    assert.equal(result.accepted, 3);
    assert.equal(result.duplicates, 0);
    assert.equal(result.account.balance, "100500.00");
    assert.equal(result.account.equity, "100500.00");
    assert.equal(result.account.stateVersion, 3);
    assert.deepEqual(result.trading, {
      allowed: true,
      reason: null,
      until: null,
      closeAll: false,
      openPositions: [],
    });

    const [trade] = await db.sql`
      select status, entry_price, exit_price, pnl, opened_while_blocked from trades where account_id = ${accountId}`;
    assert.deepEqual({ ...trade }, {
      status: "closed",
      entry_price: "1.08000000",
      exit_price: "1.09000000",
      pnl: "500.00",
      opened_while_blocked: false,
    });
    const stored = await db.sql`
      select event_id, state_version from account_events where account_id = ${accountId} order by at`;
    assert.deepEqual(stored.map((r) => [r.event_id, r.state_version]), events.map((e, i) => [e.id, i + 1]));
    const [day] = await db.sql`
      select trading_day::text as day, sod_balance, high_equity, low_equity, close_balance, pnl, trades_opened
      from daily_stats where account_id = ${accountId}`;
    assert.deepEqual({ ...day }, {
      day: "2026-03-02",
      sod_balance: "100000.00",
      high_equity: "100500.00",
      low_equity: "99800.00",
      close_balance: "100500.00",
      pnl: "500.00",
      trades_opened: 1,
    });
    const changes = await db.sql`
      select kind, state_version from account_changes where account_id = ${accountId} order by state_version`;
    assert.deepEqual(changes.map((c) => `${c.kind}@${c.state_version}`), ["lifecycle@0", "sync@3"]);
    assert.equal(published.length, 1);
    assert.equal(published[0].kind, "sync");
    assert.equal(published[0].account.balance, "100500.00");
  } finally {
    await bus.close();
    await db.close();
  }
});

Deno.test("applySync: duplicates, late and future events, unknown and non-trading accounts", async (t) => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const deps = { db, bus };
  try {
    const userId = await newUser(db);
    const { accountId } = await openTestAccount(db, userId, { at: START });
    const a = sync.mark("100100.00", "100000.00", "2026-03-02T09:00:00Z");
    const b = sync.mark("100200.00", "100000.00", "2026-03-02T09:05:00Z");

    await t.step("a repeated id inside a batch and a re-sent batch count as duplicates", async () => {
      const first = await applySync(deps, accountId, [a, b, a]);
      assert.deepEqual([first.accepted, first.duplicates], [2, 1]);
      const again = await applySync(deps, accountId, [a, b]);
      assert.deepEqual([again.accepted, again.duplicates], [0, 2]);
      assert.equal(again.account.stateVersion, 2);
      const [{ n }] = await db
        .sql`select count(*)::int as n from account_events where account_id = ${accountId}`;
      assert.equal(n, 2);
    });

    await t.step(
      "a new event older than the last applied one is late: not applied, the others are",
      async () => {
        const late = sync.mark("100300.00", "100000.00", "2026-03-02T09:01:00Z");
        const fine = sync.mark("100400.00", "100000.00", "2026-03-02T09:10:00Z");
        const result = await applySync(deps, accountId, [fine, a, late]);
        assert.deepEqual([result.accepted, result.duplicates, result.late], [1, 1, 1]);
        assert.deepEqual(result.results.map((r) => [r.id, r.outcome]), [
          [fine.id, "applied"],
          [a.id, "duplicate"],
          [late.id, "late"],
        ]);
        assert.match(result.results[2].reason!, /2026-03-02T09:05:00\.000Z/);
        const [row] = await db.sql`select state_version, equity from accounts where id = ${accountId}`;
        assert.deepEqual([row.state_version, row.equity], [3, "100400.00"]);
      },
    );

    await t.step("events stamped far in the future are refused (422)", async () => {
      const now = new Date("2026-03-02T10:00:00Z");
      const ahead = sync.mark("100000.00", "100000.00", "2026-03-02T10:06:00Z");
      await assert.rejects(() => applySync(deps, accountId, [ahead], now), Unprocessable);
    });

    await t.step("unknown account → NotFound; pending_kyc account → Conflict", async () => {
      await assert.rejects(() => applySync(deps, crypto.randomUUID(), [a]), NotFound);
      const funded = await openTestAccount(db, userId, { stage: "funded", at: START });
      await assert.rejects(() => applySync(deps, funded.accountId, [a]), Conflict);
    });
  } finally {
    await bus.close();
    await db.close();
  }
});

Deno.test("a daily-loss pause blocks trading until the reset; trades opened meanwhile are violations", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const deps = { db, bus };
  try {
    const userId = await newUser(db);
    // Topstep-style 50K: $1,000 daily loss pauses; Chicago 17:00 reset (23:00Z in early March, CST).
    const start = new Date("2026-03-03T14:00:00Z");
    const { accountId } = await openTestAccount(db, userId, { plan: topstep50k(), at: start });
    const paused = await applySync(deps, accountId, [
      sync.open("t1", "2026-03-03T14:30:00Z"),
      sync.mark("48999.99", "50000.00", "2026-03-03T15:00:00Z"),
    ]);
    assert.equal(paused.account.status, "paused");
    assert.equal(paused.breaches.length, 1);
    assert.equal(paused.breaches[0].action, "pause");
    assert.deepEqual(paused.trading, {
      allowed: false,
      reason: "paused",
      until: "2026-03-03T23:00:00.000Z",
      closeAll: true,
      openPositions: ["t1"],
    });

    const during = await applySync(deps, accountId, [sync.open("t2", "2026-03-03T15:10:00Z")]);
    assert.deepEqual(during.violations.map((v) => [v.tradeId, v.status, v.until]), [
      ["t2", "paused", "2026-03-03T23:00:00.000Z"],
    ]);
    assert.deepEqual(during.trading.openPositions, ["t1", "t2"], "the directive repeats while it holds");
    const flagged = await db.sql`
      select external_id from trades where account_id = ${accountId} and opened_while_blocked`;
    assert.deepEqual(flagged.map((r) => r.external_id), ["t2"]);

    const flat = await applySync(deps, accountId, [
      sync.close("t1", "-1000.01", "2026-03-03T15:20:00Z"),
      sync.close("t2", "-5.00", "2026-03-03T15:21:00Z"),
    ]);
    assert.equal(flat.trading.closeAll, false);
    assert.equal(flat.trading.allowed, false);

    const resumed = await applySync(deps, accountId, [sync.open("t3", "2026-03-04T14:00:00Z")]);
    assert.equal(resumed.account.status, "active");
    assert.equal(resumed.trading.allowed, true);
    assert.deepEqual(resumed.violations, []);
    const [row] = await db.sql`select count(*)::int as n from breaches where account_id = ${accountId}`;
    assert.equal(row.n, 1);
  } finally {
    await bus.close();
    await db.close();
  }
});

Deno.test("a failed account records later events without evaluating them", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const deps = { db, bus };
  try {
    const userId = await newUser(db);
    const { accountId, challengeId } = await openTestAccount(db, userId, { at: START });
    const failed = await applySync(deps, accountId, [
      sync.open("t1", "2026-03-02T09:00:00Z"),
      sync.mark("94999.99", "100000.00", "2026-03-02T10:00:00Z"),
    ]);
    assert.equal(failed.account.status, "failed");
    assert.equal(failed.breaches[0].rule, "daily_loss");
    const [challenge] = await db.sql`select status, ended_at from challenges where id = ${challengeId}`;
    assert.equal(challenge.status, "failed");
    assert.ok(challenge.ended_at);

    // The venue liquidates the position after the breach: a fact the history keeps.
    const after = await applySync(deps, accountId, [sync.close("t1", "-5000.50", "2026-03-02T10:00:01Z")]);
    assert.equal(after.accepted, 1);
    assert.equal(after.account.status, "failed");
    assert.equal(after.account.balance, "94999.50");
    assert.deepEqual(after.breaches, []);
    assert.equal(after.trading.allowed, false);
    const [row] = await db.sql`select engine_state, next_reset_at from accounts where id = ${accountId}`;
    assert.equal(stateFromJson(row.engine_state).breach?.inputsHash, failed.breaches[0].inputsHash);
    assert.equal(row.next_reset_at, null);
    const [trade] = await db.sql`select status, pnl from trades where account_id = ${accountId}`;
    assert.deepEqual({ ...trade }, { status: "closed", pnl: "-5000.50" });
  } finally {
    await bus.close();
    await db.close();
  }
});

/** Several days of trading ending in a daily-loss breach on the fourth day. */
function scenario(): SyncEvent[] {
  const events: SyncEvent[] = [];
  for (let d = 2; d <= 5; d++) {
    const day = `2026-03-0${d}`;
    events.push(...roundTrip(`w${d}`, "700.00", `${day}T09:00:00Z`));
    for (let i = 0; i < 10; i++) {
      const minute = String(10 + i * 3).padStart(2, "0");
      events.push(
        sync.mark(
          `${100000 + (d - 2) * 700 + i * 10}.00`,
          `${100000 + (d - 1) * 700}.00`,
          `${day}T10:${minute}:00Z`,
        ),
      );
    }
  }
  events.push(sync.open("loser", "2026-03-05T12:00:00Z"));
  events.push(sync.mark("97000.00", "102800.00", "2026-03-05T12:30:00Z"));
  return events;
}

Deno.test("50 concurrent (re-sent, overlapping) batches end where sequential application ends", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const deps = { db, bus };
  try {
    const userId = await newUser(db);
    const { accountId: sequential, planVersionId } = await openTestAccount(db, userId, { at: START });
    const concurrent = await openSibling(db, userId, planVersionId, START);
    const events = scenario();
    // Batch k re-sends every event up to k (what a retrying connector does): any order is valid.
    const batches = Array.from(
      { length: 50 },
      (_, k) => events.slice(0, Math.ceil(((k + 1) * events.length) / 50)),
    );
    for (const batch of batches) await applySync(deps, sequential, batch);
    const results = await Promise.all(batches.map((batch) => applySync(deps, concurrent, batch)));
    assert.equal(results.reduce((n, r) => n + r.accepted, 0), events.length);

    const rows = await db.sql`
      select id, status, balance, equity, daily_floor, max_floor, state_version, engine_state
      from accounts where id in ${db.sql([sequential, concurrent])}`;
    const [s, c] = [rows.find((r) => r.id === sequential)!, rows.find((r) => r.id === concurrent)!];
    assert.equal(s.status, "failed");
    for (const key of ["status", "balance", "equity", "daily_floor", "max_floor", "state_version"]) {
      assert.equal(c[key], s[key], key);
    }
    assert.deepEqual(c.engine_state, s.engine_state);
    assert.equal(
      stateFromJson(c.engine_state).breach?.inputsHash,
      stateFromJson(s.engine_state).breach?.inputsHash,
    );
    const count = (id: string) =>
      db.sql`select (select count(*) from account_events where account_id = ${id})::int as events,
                    (select count(*) from trades where account_id = ${id})::int as trades,
                    (select count(*) from breaches where account_id = ${id})::int as breaches`.then((r) => ({
        ...r[0],
      }));
    assert.deepEqual(await count(concurrent), await count(sequential));
    const days = (id: string) =>
      db.sql`select trading_day::text, sod_balance, high_equity, low_equity, close_equity, pnl, trades_opened
             from daily_stats where account_id = ${id} order by trading_day`.then((r) =>
        r.map((x) => ({ ...x }))
      );
    assert.deepEqual(await days(concurrent), await days(sequential));
  } finally {
    await bus.close();
    await db.close();
  }
});
