/**
 * The venue's mark writer (services/venue/mark_writer.ts) writes exactly the rows of the engine path: for the
 * same marks on the same accounts, `writeMarks` (one statement for all of them) must leave every row that
 * `persistChange` (a transaction's statements per account) leaves — every column of the accounts, their
 * events, change log, equity samples, daily statistics, the owner's trader days, and no notification. Each
 * side runs in a transaction that is rolled back, so both start from the same rows; marks of several accounts
 * at the same ticks, a new high under a trailing floor, two marks in one second, one in the second of an
 * earlier sample and a day's reset between two marks are all covered.
 */
import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser, openSibling } from "./helpers/sync_accounts.ts";
import { sync } from "./helpers/sync.ts";
import type { Db, Tx } from "../db/client.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { lockAccount } from "../services/accounts/persist.ts";
import { persistChange } from "../services/accounts/write_change.ts";
import { advance } from "../services/accounts/advance.ts";
import { rulesFor, stageOf } from "../services/accounts/rules.ts";
import { type AccountState, stateFromJson } from "../services/engine/state.ts";
import { toEngineEvent } from "../services/engine/sync_events.ts";
import { apex50k, ftmo100k } from "../services/engine/testing.ts";
import { toMinor } from "../services/money.ts";
import { type MarkWrite, writeMarks } from "../services/venue/mark_writer.ts";
import { tickMarkId } from "../services/venue/engine_path.ts";
import { markEvent } from "../services/venue/settle.ts";
import type { Tick } from "../services/venue/price_book.ts";

const START = new Date("2026-03-02T08:00:00Z"); // a Monday
const at = (iso: string) => Date.parse(iso);
const NOW = new Date("2026-03-03T09:00:00Z");

const tick = (iso: string, bid = "1.08400"): Tick => ({
  symbol: "EURUSD",
  bid,
  ask: (Number(bid) + 0.0001).toFixed(5),
  at: at(iso),
});

/**
 * An FTMO-style 100K account and two siblings, an Apex-style 50K (trailing intraday floor) and its sibling,
 * of one trader, each holding a trade and marked once at 08:01:00.200 (a sample in that second).
 */
async function arrange(db: Db) {
  const bus = new MemoryBus();
  const userId = await newUser(db);
  const ftmo = await openTestAccount(db, userId, { plan: ftmo100k(), at: START });
  const apex = await openTestAccount(db, userId, { plan: apex50k(), at: START });
  const ids = [
    ftmo.accountId,
    await openSibling(db, userId, ftmo.planVersionId, START),
    await openSibling(db, userId, ftmo.planVersionId, START),
    apex.accountId,
    await openSibling(db, userId, apex.planVersionId, START),
  ];
  for (const id of ids) {
    const balance = id === apex.accountId || ids.indexOf(id) === 4 ? "50000.00" : "100000.00";
    await applySync({ db, bus }, id, [
      sync.open(`t-${id}`, "2026-03-02T08:00:30.000Z"),
      sync.mark(balance, balance, "2026-03-02T08:01:00.200Z"),
    ], NOW);
  }
  return { userId, ids };
}

/** A mark of `equity` (money offset from the balance) at `t`, as the marker makes it. */
interface Mark {
  tick: Tick;
  offset: string;
}

/**
 * The `MarkWrite`s of `marks` (per account) on the accounts as they are in `tx`. The stored states of `legacy`
 * get a key the engine does not know, which the marks' states then lack: no patch can drop it, so the writer
 * must write those states whole (as the engine path always does).
 */
async function markWrites(tx: Tx, marks: Map<string, Mark[]>, legacy: ReadonlySet<string> = new Set()) {
  const writes: MarkWrite[] = [];
  for (const [id, list] of marks) {
    if (legacy.has(id)) {
      await tx`update accounts set engine_state = engine_state || '{"legacy": true}' where id = ${id}`;
    }
    const account = (await lockAccount(tx, id))!;
    const { rules } = await rulesFor(tx, account.plan_version_id!, stageOf(account));
    const stored = stateFromJson(account.engine_state);
    const { legacy: _, ...state } = stored as AccountState & { legacy?: true };
    const events = list.map((m) =>
      markEvent({
        id: tickMarkId(m.tick),
        at: Math.max(m.tick.at, state.lastEventAt),
        equity: state.balance + toMinor(m.offset),
        balance: state.balance,
        tick: m.tick,
      })
    );
    const advanced = advance(state, rules, events.map((e) => ({ id: e.id, event: toEngineEvent(e) })));
    assert.deepEqual(advanced.verdicts, [], "plain marks only");
    // As the marker holds it: the row without its engine state, and the state as stored.
    writes.push({ account: { ...account, engine_state: null }, state: stored, advanced, events });
  }
  return writes;
}

/** Every row the marks may have written, as the database returns them. */
async function rowsOf(tx: Tx, userId: string, ids: string[]) {
  return {
    accounts: await tx`select * from accounts where id = any(${ids}) order by id`,
    // `received_at` is the transaction's clock.
    events: await tx`
      select account_id, event_id, type, at, payload, state_version from account_events
      where account_id = any(${ids}) order by account_id, state_version, event_id`,
    changes: await tx`
      select * from account_changes where account_id = any(${ids}) order by account_id, state_version`,
    samples: await tx`
      select * from equity_samples where account_id = any(${ids}) order by account_id, at, breach nulls first`,
    days: await tx`select * from daily_stats where account_id = any(${ids}) order by account_id, trading_day`,
    traderDays: await tx`select day from trader_days where user_id = ${userId} order by day`,
    notifications:
      await tx`select dedupe_key from notifications where user_id = ${userId} order by dedupe_key`,
  };
}

class Rollback extends Error {}

/** `fn`'s result, from a transaction that is then rolled back. */
async function rolledBack<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db.tx(async (tx) => {
    result = await fn(tx);
    throw new Rollback();
  }).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return result!;
}

/** The rows after the engine path and after `writeMarks`, each from the same starting rows. */
async function bothWays(db: Db, userId: string, marks: Map<string, Mark[]>, legacy?: Set<string>) {
  const ids = [...marks.keys()];
  const engine = await rolledBack(db, async (tx) => {
    for (const w of await markWrites(tx, marks, legacy)) {
      const account = (await lockAccount(tx, w.account.id))!;
      await persistChange(tx, { account, advanced: w.advanced, kind: "sync", events: w.events, now: NOW });
    }
    return await rowsOf(tx, userId, ids);
  });
  const writer = await rolledBack(db, async (tx) => {
    const { written, skipped } = await writeMarks(tx, await markWrites(tx, marks, legacy), NOW);
    assert.deepEqual([skipped, [...written.keys()].sort()], [[], [...ids].sort()]);
    return await rowsOf(tx, userId, ids);
  });
  return { engine, writer };
}

Deno.test("writeMarks writes the engine path's rows: several accounts at shared ticks, highs, a trailing floor, one second", async () => {
  const db = await openTestDb();
  try {
    const { userId, ids } = await arrange(db);
    const [a, b, c, apex, apex2] = ids;
    const t1 = tick("2026-03-02T08:01:00.700Z"); // the second of the arranged sample: it is updated
    const t2 = tick("2026-03-02T08:01:00.900Z", "1.08380");
    const t3 = tick("2026-03-02T08:01:05.000Z", "1.08450");
    const marks = new Map<string, Mark[]>([
      [a, [{ tick: t1, offset: "-1135.00" }, { tick: t2, offset: "-1335.00" }, {
        tick: t3,
        offset: "-635.00",
      }]],
      [b, [{ tick: t1, offset: "250.00" }]], // a new high (static floors)
      [c, [{ tick: t3, offset: "-10.00" }]],
      [apex, [{ tick: t1, offset: "400.00" }, { tick: t3, offset: "650.00" }]], // highs: the floor trails
      [apex2, [{ tick: t2, offset: "-300.00" }]],
    ]);
    const { engine, writer } = await bothWays(db, userId, marks);
    assert.ok(engine.samples.length > ids.length && engine.events.length > ids.length * 3);
    assert.deepEqual(writer, engine);
  } finally {
    await db.close();
  }
});

Deno.test("writeMarks writes the engine path's rows across a trading day's reset, and a state written whole", async () => {
  const db = await openTestDb();
  try {
    const { userId, ids } = await arrange(db);
    const [a, b, , apex] = ids;
    // 21:30 UTC is before both resets (New York 17:00 = 22:00 UTC, Prague midnight = 23:00 UTC); 23:30 after.
    const before = tick("2026-03-02T21:30:00.000Z");
    const after = tick("2026-03-02T23:30:00.000Z", "1.08420");
    const marks = new Map<string, Mark[]>([
      [a, [{ tick: before, offset: "-500.00" }, { tick: after, offset: "-400.00" }]],
      [b, [{ tick: after, offset: "120.00" }]],
      [apex, [{ tick: before, offset: "300.00" }, { tick: after, offset: "-200.00" }]],
    ]);
    const { engine, writer } = await bothWays(db, userId, marks, new Set([b]));
    assert.ok(engine.days.length >= 6, "each account gets the new day's row");
    assert.deepEqual(writer, engine);
  } finally {
    await db.close();
  }
});

Deno.test("writeMarks leaves out an account that applied one of its marks already (a tick delivered again) and writes the others", async () => {
  const db = await openTestDb();
  try {
    const { ids } = await arrange(db);
    const [a, b, c] = ids;
    const t1 = tick("2026-03-02T08:01:02.000Z");
    const t2 = tick("2026-03-02T08:01:03.000Z", "1.08420");
    await rolledBack(db, async (tx) => {
      const first = await writeMarks(
        tx,
        await markWrites(tx, new Map([[a, [{ tick: t1, offset: "-100.00" }]]])),
        NOW,
      );
      assert.deepEqual([...first.written.keys()], [a]);
      const rows = () =>
        tx`select id, state_version, equity, engine_state from accounts where id = any(${ids})`;
      const before = await rows();
      // `t1` again, on the state that applied it (another leader's marker at a hand-over, the stored quote
      // re-applied after a bus reconnect): the version guard passes, but `mark:EURUSD:<t1>` is recorded.
      const again = await writeMarks(
        tx,
        await markWrites(
          tx,
          new Map([
            [a, [{ tick: t1, offset: "-100.00" }, { tick: t2, offset: "-60.00" }]],
            [b, [{ tick: t1, offset: "-100.00" }]],
          ]),
        ),
        NOW,
      );
      assert.deepEqual([again.skipped, [...again.written.keys()]], [[a], [b]]);
      const after = await rows();
      const byId = (list: typeof before) => new Map(list.map((r) => [r.id, { ...r }]));
      assert.deepEqual(byId(after).get(a), byId(before).get(a), "the account left out is untouched");
      assert.deepEqual(byId(after).get(c), byId(before).get(c));
      assert.notDeepEqual(byId(after).get(b), byId(before).get(b));
      const events = await tx<{ account_id: string; event_id: string }[]>`
        select account_id, event_id from account_events where account_id = any(${[
        a,
        b,
      ]}) and event_id like 'mark:%'
        order by account_id, state_version`;
      assert.deepEqual(
        events.map((e) => [e.account_id, e.event_id]).sort(),
        [[a, tickMarkId(t1)], [b, tickMarkId(t1)]].sort(),
      );
    });
  } finally {
    await db.close();
  }
});
