import assert from "node:assert/strict";
import { countPlans, insertPlan, listActivePlans } from "./queries.ts";
import { openTestDb } from "../../tests/helpers/db.ts";
import type { PlanDefinition } from "./definition.ts";

function body(name: string, initialBalance: string, price: string): PlanDefinition {
  return {
    name,
    currency: "EUR",
    initialBalance,
    price,
    reset: { timeZone: "Europe/Prague", time: "00:00" },
    phases: [{
      name: "Challenge",
      profitTarget: { amount: "1234.56" },
      dailyLoss: { percent: "4.5", of: "anchor", anchor: "sod_equity", on: "balance", action: "pause" },
      maxLoss: null,
      minTradingDays: 0,
      timeLimitDays: 30,
      bestDayMaxPercent: null,
    }],
    funded: {
      profitSplitPercent: "75.5",
      minPayout: "0.01",
      payoutIntervalDays: 7,
      dailyLoss: null,
      maxLoss: null,
    },
  };
}

Deno.test("inserted plans are listed by family and size with exact decimal strings", async () => {
  const db = await openTestDb();
  try {
    const family = `Test ${crypto.randomUUID()}`;
    const slug = (s: string) => `t-${family.slice(5, 13)}-${s}`;
    const before = await countPlans(db);
    // Inserted largest first: the listing must still order by balance.
    const big = await db.tx((tx) =>
      insertPlan(tx, { slug: slug("big"), family, body: body("Big", "9999999999999.99", "12345.67") })
    );
    await db.tx((tx) => insertPlan(tx, { slug: slug("small"), family, body: body("Small", "0.10", "0.00") }));
    assert.equal(await countPlans(db), before + 2);

    const mine = (await listActivePlans(db)).filter((p) => p.family === family);
    assert.deepEqual(mine.map((p) => [p.slug, p.name, p.initialBalance, p.price, p.currency, p.version]), [
      [slug("small"), "Small", "0.10", "0.00", "EUR", 1],
      [slug("big"), "Big", "9999999999999.99", "12345.67", "EUR", 1],
    ]);
    assert.equal(mine[1].id, big.planId);
    assert.equal(mine[1].versionId, big.versionId);
    assert.deepEqual(mine[1].definition, body("Big", "9999999999999.99", "12345.67"));
  } finally {
    await db.close();
  }
});

Deno.test("inactive plans are not listed and slugs are unique", async () => {
  const db = await openTestDb();
  try {
    const family = `Test ${crypto.randomUUID()}`;
    const slug = `t-${crypto.randomUUID()}`;
    const { planId } = await db.tx((tx) =>
      insertPlan(tx, { slug, family, body: body("Old", "5000.00", "49.00") })
    );
    await db.sql`update plans set active = false where id = ${planId}`;
    assert.equal((await listActivePlans(db)).filter((p) => p.family === family).length, 0);

    await assert.rejects(
      db.tx((tx) => insertPlan(tx, { slug, family, body: body("Dup", "5000.00", "49.00") })),
      /duplicate key value violates unique constraint "plans_slug_key"/,
    );
  } finally {
    await db.close();
  }
});
