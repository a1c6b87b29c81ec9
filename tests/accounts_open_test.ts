import assert from "node:assert/strict";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { loadAccountView } from "../services/accounts/view.ts";
import { ftmo100k } from "../services/engine/testing.ts";

Deno.test("an opened phase-1 account starts at B0 with its floors, state and first change-log row", async () => {
  const db = await openTestDb();
  const [{ id: userId }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${`open-${crypto.randomUUID()}@example.test`}, 'x')
    returning id`;
  const at = new Date("2026-03-02T10:00:00Z");
  const { accountId, planVersionId, opened } = await openTestAccount(db, userId, { plan: ftmo100k(), at });

  assert.equal(opened.account.status, "active");
  assert.equal(opened.account.balance, "100000.00");
  assert.equal(opened.account.dailyFloor, "95000.00");
  assert.equal(opened.account.maxFloor, "90000.00");
  assert.equal(opened.account.phase, 1);
  // Prague midnight after 2026-03-02 10:00 UTC.
  assert.equal(opened.account.nextResetAt, "2026-03-02T23:00:00.000Z");

  const [change] = await db
    .sql`select kind, state_version from account_changes where account_id = ${accountId}`;
  assert.deepEqual({ ...change }, { kind: "lifecycle", state_version: 0 });

  const view = await loadAccountView(db.sql, accountId, at);
  assert.ok(view);
  assert.equal(view.planVersionId, planVersionId);
  assert.deepEqual(view.objectives.map((o) => `${o.key}:${o.status}`), [
    "profit_target:pending",
    "daily_loss:ok",
    "max_loss:ok",
    "min_trading_days:pending",
  ]);
  assert.equal(view.breach, null);
});
