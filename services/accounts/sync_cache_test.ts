import assert from "node:assert/strict";
import { openTestDb } from "../../tests/helpers/db.ts";
import type { AccountState } from "../engine/state.ts";
import { cachedAccount, rememberAccount } from "./sync_cache.ts";
import type { LockedAccount } from "./persist.ts";

const entry = {
  account: { id: "7d4c1a52-4a5e-4c53-9d07-0c5a9a0f3b11" } as LockedAccount,
  rowVersion: "1234",
  state: {} as AccountState,
  platform: null,
};

Deno.test("the sync cache serves the pool, never a transaction (where xmin would not prove a row unchanged)", async () => {
  const db = await openTestDb();
  try {
    rememberAccount(db.sql, entry);
    assert.equal(cachedAccount(db.sql, entry.account.id)?.rowVersion, "1234");
    await db.tx(async (tx) => {
      rememberAccount(tx, entry);
      assert.equal(cachedAccount(tx, entry.account.id), undefined);
      // A `db` bound to a transaction (the demo seed's) hands the transaction out as its pool.
      await tx.savepoint((sp) =>
        Promise.resolve(assert.equal(cachedAccount(sp, entry.account.id), undefined))
      );
    });
  } finally {
    await db.close();
  }
});
