import assert from "node:assert/strict";
import { isLive, LIVE_STATUSES } from "./state.ts";

// Every status an `accounts` row can hold (the check constraint of 001_core.sql).
const ROW_STATUSES = ["pending", "active", "paused", "passed", "failed", "pending_kyc", "closed"];

Deno.test("only active and paused accounts are live: evaluated on every event and rolled at every reset", () => {
  assert.deepEqual([...LIVE_STATUSES], ["active", "paused"]);
  assert.deepEqual(ROW_STATUSES.filter(isLive), ["active", "paused"]);
});

Deno.test("a paused account stays live, so its pause ends at the next reset instead of blocking it forever", () => {
  assert.deepEqual(isLive("paused"), true);
});

Deno.test("final and not-yet-trading accounts are not live: never rolled, never re-evaluated", () => {
  // passed/failed are final (a verdict is never undone by a later event); pending, pending_kyc and closed are
  // not trading (a funded account is evaluated only once KYC activates it).
  for (const status of ["passed", "failed", "pending", "pending_kyc", "closed", "", "ACTIVE"]) {
    assert.deepEqual(isLive(status), false, status);
  }
});
