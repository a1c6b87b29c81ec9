import assert from "node:assert/strict";
import { accountStatusBadge, isStaffPause } from "./status_badge.tsx";

Deno.test("a paused account's badge names the pause's end only when it has one", () => {
  const dailyLoss = [{ key: "daily_loss", pausedUntil: "2026-12-08T22:00:00.000Z" }];
  const staff = [{ key: "daily_loss", pausedUntil: null }, { key: "max_loss" }];
  assert.equal(isStaffPause("paused", dailyLoss), false);
  assert.equal(isStaffPause("paused", staff), true);
  assert.equal(isStaffPause("paused", []), true, "no daily loss rule: only staff can pause it");
  assert.equal(isStaffPause("active", []), false);
  assert.equal(accountStatusBadge("paused", false).label, "Paused until the next reset");
  assert.equal(accountStatusBadge("paused", true).label, "Paused by staff");
  assert.equal(accountStatusBadge("paused").label, "Paused", "cause unknown: no end promised");
  assert.deepEqual(accountStatusBadge("active", true), { label: "Active", tone: "good" });
  assert.deepEqual(accountStatusBadge("mystery"), { label: "mystery", tone: "neutral" });
});
