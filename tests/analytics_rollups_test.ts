/**
 * The analytics rollups of migration 029 (and 019's trader_days) against a recomputation from the raw rows,
 * after a mix of writes the app makes — orders paid and refunded, refunds confirmed, breaches, reinstatement,
 * passes, funded openings, payouts, sync events, deletions — many right on a UTC day, ISO-week or month
 * boundary, written from sessions in other time zones. Then the analytics of many ranges (whole days and
 * instants inside days) through the rollups must equal the same analytics from the raw rows alone.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { openTestDb } from "./helpers/db.ts";
import { buildScenario } from "./helpers/analytics_scenario.ts";
import * as raw from "./helpers/analytics_raw.ts";
import { businessAnalytics } from "../services/analytics/business.ts";
import { type Granularity, periodsOf } from "../services/analytics/periods.ts";
import type { Db, Sql } from "../db/client.ts";

const T = (iso: string) => new Date(iso);

/** Each rollup and the same figures recomputed from the rows it sums, as sorted text rows. */
const CHECKS: [string, string, string][] = [
  [
    "order_days",
    "select day, plan_id, currency, orders, gross from order_days",
    `select (o.paid_at at time zone 'UTC')::date, v.plan_id, o.currency, count(*), sum(o.amount)
     from orders o join plan_versions v on v.id = o.plan_version_id
     where o.status in ('paid', 'refunded') and o.paid_at is not null group by 1, 2, 3`,
  ],
  [
    "refund_days",
    "select day, plan_id, currency, refunds, amount from refund_days",
    `select (f.succeeded_at at time zone 'UTC')::date, v.plan_id, f.currency, count(*), sum(f.amount)
     from refunds f join orders o on o.id = f.order_id join plan_versions v on v.id = o.plan_version_id
     where f.status = 'succeeded' group by 1, 2, 3`,
  ],
  [
    "breach_days",
    "select day, rule, breaches from breach_days",
    "select (at at time zone 'UTC')::date, rule, count(*) from breaches group by 1, 2",
  ],
  [
    "account_milestones",
    "select account_id, kind, phase, at from account_milestones",
    // The definitions of tests/helpers/analytics_raw.ts (phaseEnds, fundedOpened), per account.
    `select a.id, 'failed', a.phase, b.at
     from (select account_id, max(at) as at from breaches where action = 'fail' group by account_id) b
     join accounts a on a.id = b.account_id where a.type = 'challenge' and a.status = 'failed'
     union all
     select a.id, 'passed', a.phase, c.at
     from (select id, phase, status, type,
                  lead(id) over (partition by challenge_id order by phase nulls last, created_at) as next_id
           from accounts where challenge_id is not null) a
     join account_changes c on c.account_id = a.next_id and c.state_version = 0
     where a.type = 'challenge' and a.status = 'passed'
     union all
     select a.id, 'funded', a.phase, c.at
     from accounts a join account_changes c on c.account_id = a.id and c.state_version = 0
     where a.type = 'funded'`,
  ],
  [
    "milestone_days",
    "select day, kind, phase, accounts from milestone_days",
    `select (at at time zone 'UTC')::date, kind, coalesce(phase, 0), count(*) from account_milestones
     group by 1, 2, 3`,
  ],
  [
    "trader_days",
    "select day, user_id from trader_days",
    `select distinct (e.at at time zone 'UTC')::date, a.user_id
     from account_events e join accounts a on a.id = e.account_id`,
  ],
  [
    "trader_weeks",
    "select week, user_id from trader_weeks",
    `select distinct date_trunc('week', e.at at time zone 'UTC')::date, a.user_id
     from account_events e join accounts a on a.id = e.account_id`,
  ],
  [
    "trader_months",
    "select month, user_id from trader_months",
    `select distinct date_trunc('month', e.at at time zone 'UTC')::date, a.user_id
     from account_events e join accounts a on a.id = e.account_id`,
  ],
];

async function rows(db: Db, query: string): Promise<string[]> {
  // Text, in UTC, so both sides print instants and numbers alike.
  return await db.tx(async (tx) => {
    await tx`set local time zone 'UTC'`;
    const result = await tx.unsafe(`select x::text as r from (${query}) x`);
    return result.map((row) => String(row.r)).sort();
  });
}

async function assertRollupsMatch(db: Db, when: string) {
  for (const [name, rollup, recomputed] of CHECKS) {
    assert.deepEqual(await rows(db, rollup), await rows(db, recomputed), `${name} ${when}`);
  }
}

/** Writes in a session whose time zone is not UTC (St John's, −03:30), so a rollup that forgot UTC shows. */
function inZone<T>(db: Db, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return db.tx(async (tx) => {
    await tx`set local time zone 'America/St_Johns'`;
    return await fn(tx);
  });
}

Deno.test("analytics rollups equal a recomputation from the raw rows, and so do the figures", async () => {
  const db = await openTestDb();
  const { sql } = db;
  try {
    const s = await buildScenario(db);
    await assertRollupsMatch(db, "after the scenario");
    const [u1, u2, u3] = s.users;
    const [{ id: versionA }] = await sql<{ id: string }[]>`
      select id from plan_versions where plan_id = ${s.planA}`;

    await inZone(db, async (tx) => {
      const order = async (user: string, status: string, paidAt: string | null, amount = "100.00") => {
        const [{ id }] = await tx<{ id: string }[]>`
          insert into orders (user_id, plan_version_id, currency, list_price, discount, amount, status, provider,
                              paid_at)
          values (${user}, ${versionA}, 'USD', ${amount}, 0, ${amount}, ${status}, 'demo',
                  ${paidAt && T(paidAt)})
          returning id`;
        return id;
      };
      // Paid at the first instant of May (written as 22:00 the day before at −02:00), then refunded.
      const pending = await order(u1, "pending", null);
      await tx`update orders set status = 'paid', paid_at = ${T("2024-04-30T22:00:00-02:00")}
               where id = ${pending}`;
      await tx`update orders set status = 'refunded' where id = ${pending}`;
      await tx`update orders set updated_at = now() where id = ${pending}`; // no change to the sums
      // A refund asked at the last millisecond of February, confirmed by the provider in March.
      const paid = await order(u2, "paid", "2024-02-29T23:59:59.999Z", "120.00");
      const [{ id: refund }] = await tx<{ id: string }[]>`
        insert into refunds (order_id, amount, currency, reason, status, provider, idempotency_key, created_at)
        values (${paid}, '20.00', 'USD', 'test', 'pending', 'demo', ${crypto.randomUUID()},
                ${T("2024-02-29T23:59:59.999Z")}) returning id`;
      await tx`update refunds set status = 'succeeded', succeeded_at = ${T("2024-03-01T00:00:00Z")}
               where id = ${refund}`;
      // An order deleted with its refund later (as retention does).
      const doomed = await order(u3, "paid", "2024-01-01T00:00:00+00:00", "75.00");
      await tx`insert into refunds (order_id, amount, currency, reason, status, provider, idempotency_key,
                                    created_at, succeeded_at)
               values (${doomed}, '5.00', 'USD', 'test', 'succeeded', 'demo', ${crypto.randomUUID()},
                       ${T("2024-01-02T00:00:00Z")}, ${T("2024-01-02T00:00:00Z")})`;
    });
    await assertRollupsMatch(db, "after orders and refunds");

    await inZone(db, async (tx) => {
      const [{ id: challenge }] = await tx<{ id: string }[]>`
        insert into challenges (user_id, plan_version_id, status, started_at)
        values (${u1}, ${versionA}, 'active', ${T("2024-01-01T00:00:00Z")}) returning id`;
      const account = async (phase: number | null, status: string, openedAt: string) => {
        const [{ id }] = await tx<{ id: string }[]>`
          insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance,
                                equity, plan_version_id, created_at)
          values (${u1}, ${challenge}, ${phase}, ${phase ? "challenge" : "funded"}, ${status}, 'USD', 10000,
                  10000, 10000, ${versionA}, ${T(openedAt)})
          returning id`;
        await tx`insert into account_changes (account_id, state_version, at, kind, payload)
                 values (${id}, 0, ${T(openedAt)}, 'lifecycle', '{}')`;
        return id;
      };
      const breach = (accountId: string, rule: string, action: string, at: string) =>
        tx`insert into breaches (account_id, rule, action, at, inputs_hash, evidence)
           values (${accountId}, ${rule}, ${action}, ${T(at)}, 'h', '{}')`;
      const events = async (accountId: string, ats: string[]) => {
        await tx`insert into account_events ${
          tx(ats.map((at) => ({
            account_id: accountId,
            event_id: crypto.randomUUID(),
            type: "equity",
            at: T(at),
            payload: {},
            state_version: 1,
          })))
        }`;
        // As the app's writers do with their events (migration 034; tests/trader_days_test.ts checks them).
        await tx`select note_trader_days(${ats.map(() => accountId)}::uuid[], ${ats}::timestamptz[])`;
      };
      // Phase 1: active, events across a Sunday→Monday and a month boundary, one batch.
      const p1 = await account(1, "active", "2024-03-31T10:00:00Z");
      await events(p1, ["2024-03-31T23:59:59.999Z", "2024-04-01T00:00:00Z", "2024-04-07T23:59:59+05:45"]);
      // Fails at the last instant of a month, is reinstated, fails again a month later.
      await breach(p1, "daily_loss", "pause", "2024-04-01T00:00:00-00:30");
      await breach(p1, "max_loss", "fail", "2024-04-30T23:59:59.999Z");
      await tx`update accounts set status = 'failed' where id = ${p1}`;
      await tx`update accounts set status = 'active' where id = ${p1}`;
      await tx`update accounts set status = 'active', equity = 9000 where id = ${p1}`; // a sync's write
      // Passes instead: the successor opens at the first instant of June in UTC.
      await tx`update accounts set status = 'passed' where id = ${p1}`;
      const p2 = await account(2, "active", "2024-05-31T20:00:00-04:00");
      await events(p2, ["2024-06-01T00:00:00Z"]);
      await tx`update accounts set status = 'passed' where id = ${p2}`;
      const funded = await account(null, "active", "2024-06-30T23:59:59.999Z");
      await events(funded, ["2024-07-01T00:00:00Z", "2024-07-01T00:00:01Z"]);
      await tx`
        insert into payouts (user_id, account_id, amount, currency, status, requested_at, processed_at,
                             trader_share, split_percent, approved_at, paid_at, reference)
        values (${u1}, ${funded}, '100.00', 'USD', 'paid', ${T("2024-07-31T23:59:59Z")},
                ${T("2024-08-01T00:00:00Z")}, '80.00', 80, ${T("2024-08-01T00:00:00Z")},
                ${T("2024-08-01T00:00:00Z")}, 'wire')`;
      // Another challenge's phase 1 fails for good; a breach moved and one deleted.
      const [{ id: other }] = await tx<{ id: string }[]>`
        insert into challenges (user_id, plan_version_id, status, started_at)
        values (${u2}, ${versionA}, 'active', ${T("2024-01-01T00:00:00Z")}) returning id`;
      const [{ id: failing }] = await tx<{ id: string }[]>`
        insert into accounts (user_id, challenge_id, phase, type, status, currency, initial_balance, balance,
                              equity, plan_version_id)
        values (${u2}, ${other}, 1, 'challenge', 'active', 'USD', 10000, 10000, 10000, ${versionA})
        returning id`;
      await breach(failing, "time_limit", "fail", "2024-05-05T12:00:00Z");
      await breach(failing, "daily_loss", "fail", "2024-05-06T00:00:00Z");
      await tx`update accounts set status = 'failed' where id = ${failing}`;
      await tx`update breaches set at = ${T("2024-05-07T00:00:00Z")} where account_id = ${failing}
                 and rule = 'time_limit'`;
      await tx`delete from breaches where account_id = ${failing} and rule = 'daily_loss'`;
    });
    await assertRollupsMatch(db, "after passes, failures, reinstatement and events");

    // Retention purges an erased user as services/privacy/prune.ts does: children first, then the user
    // (cascading to their breaches, change rows, events and trader_* rows).
    await inZone(db, async (tx) => {
      await tx`delete from refunds where order_id in (select id from orders where user_id = ${u3})`;
      await tx`delete from payouts where user_id = ${u3}`;
      await tx`delete from accounts where user_id = ${u3}`;
      await tx`delete from challenges where user_id = ${u3}`;
      await tx`delete from orders where user_id = ${u3}`;
      await tx`delete from users where id = ${u3}`;
    });
    await assertRollupsMatch(db, "after deletions");

    const ranges: [string, string, Granularity][] = [
      ["2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "month"],
      ["2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "week"],
      ["2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "day"],
      ["2023-12-01T00:00:00Z", "2024-09-01T00:00:00Z", "month"],
      ["2023-12-01T00:00:00Z", "2024-09-01T00:00:00Z", "week"],
      // Instants inside days at both ends, and ranges shorter than a day, week or month.
      ["2024-01-31T12:00:00Z", "2024-03-05T08:00:00.001Z", "month"],
      ["2024-01-31T12:00:00Z", "2024-03-05T08:00:00.001Z", "week"],
      ["2024-01-31T12:00:00Z", "2024-03-05T08:00:00.001Z", "day"],
      ["2024-02-01T00:00:00Z", "2024-02-01T00:00:00.001Z", "month"],
      ["2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.001Z", "day"],
      ["2024-04-03T00:00:00Z", "2024-04-20T00:00:00Z", "month"],
      ["2024-04-30T12:00:00Z", "2024-07-01T00:00:00Z", "week"],
    ];
    for (const [from, to, granularity] of ranges) {
      const range = { from: T(from), to: T(to), granularity, currency: "USD" };
      const periods = periodsOf(range.from, range.to, granularity)!;
      // Read from a session in another zone too (Kathmandu, +05:45).
      const [viaRollups, viaRows] = await db.tx(async (tx) => {
        await tx`set local time zone 'Asia/Kathmandu'`;
        const t = tx as unknown as Sql;
        return [
          await businessAnalytics(t, range, periods),
          await businessAnalytics(t, range, periods, raw),
        ];
      });
      assert.deepEqual(viaRollups, viaRows, `${from} – ${to} by ${granularity}`);
    }
  } finally {
    await db.close();
  }
});
