import assert from "node:assert/strict";
import { backupsToPrune } from "./retention.ts";

const now = new Date("2026-03-31T12:00:00Z");
const at = (daysAgo: number, file = `b${daysAgo}`) => ({
  file,
  createdAt: new Date(now.getTime() - daysAgo * 86_400_000).toISOString(),
});

Deno.test("retention keeps the newest `keep` backups and prunes the rest, oldest first", () => {
  const backups = [at(3), at(0), at(5), at(1), at(2)];
  assert.deepEqual(backupsToPrune(backups, { keep: 3, maxAgeDays: 365 }, now), ["b5", "b3"]);
  assert.deepEqual(backupsToPrune(backups, { keep: 5, maxAgeDays: 365 }, now), []);
});

Deno.test("retention prunes backups older than the age limit even under the count", () => {
  const backups = [at(0), at(10), at(31), at(45)];
  assert.deepEqual(backupsToPrune(backups, { keep: 10, maxAgeDays: 30 }, now), ["b45", "b31"]);
  // Exactly at the limit is still kept.
  assert.deepEqual(backupsToPrune([at(0), at(30)], { keep: 10, maxAgeDays: 30 }, now), []);
});

Deno.test("retention never prunes the newest backup, however old", () => {
  assert.deepEqual(backupsToPrune([at(400), at(500)], { keep: 1, maxAgeDays: 30 }, now), ["b500"]);
  assert.deepEqual(backupsToPrune([at(400)], { keep: 1, maxAgeDays: 30 }, now), []);
});

Deno.test("retention orders backups of the same instant by name", () => {
  const same = [at(1, "a"), at(1, "c"), at(1, "b")];
  assert.deepEqual(backupsToPrune(same, { keep: 1, maxAgeDays: 30 }, now), ["a", "b"]);
});
