import assert from "node:assert/strict";
import { openTestDb } from "../../tests/helpers/db.ts";
import { demoPlans } from "../demo/seed.ts";
import { insertPlan } from "../plans/queries.ts";
import { replayAccount } from "../accounts/replay.ts";
import { type LockedAccount, lockedColumns } from "../accounts/persist.ts";
import { seedPayoutDemo } from "./demo.ts";
import { readinessOf } from "./readiness.ts";

Deno.test("demo payouts: the funded account has one paid payout, is eligible for the next, and replays", async () => {
  const db = await openTestDb();
  try {
    const { accountId, traderId } = await db.tx(async (tx) => {
      const [plan] = demoPlans();
      const { versionId } = await insertPlan(tx, {
        ...plan,
        slug: `demo-${crypto.randomUUID().slice(0, 8)}`,
      });
      const [trader, admin] = await tx<{ id: string }[]>`
        insert into users (email, password_hash, role) values
          (${`t-${crypto.randomUUID()}@example.test`}, 'x', 'trader'),
          (${`a-${crypto.randomUUID()}@example.test`}, 'x', 'admin')
        returning id`;
      const seeded = await seedPayoutDemo(tx, {
        traderId: trader.id,
        adminId: admin.id,
        planVersionId: versionId,
      });
      return { ...seeded, traderId: trader.id };
    });
    const payouts = await db.sql<{ status: string; reference: string }[]>`
      select status, reference from payouts where account_id = ${accountId}`;
    assert.deepEqual([...payouts], [{ status: "paid", reference: "DEMO-0001" }]);
    const [account] = await db.sql<LockedAccount[]>`
      select ${lockedColumns(db.sql)} from accounts where id = ${accountId}`;
    assert.equal(account.user_id, traderId);
    assert.equal(account.status, "active");
    const readiness = await readinessOf(db.sql, account, "Europe/Prague");
    assert.equal(readiness.eligible, true, JSON.stringify(readiness.conditions));
    // 2,400 + 1,600 − 2,000 withdrawn + 1,500.
    assert.equal(readiness.profit, "3500.00");
    const { stored, replayed } = await replayAccount(db.sql, accountId);
    assert.equal(replayed, stored);
  } finally {
    await db.close();
  }
});
