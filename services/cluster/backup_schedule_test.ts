import assert from "node:assert/strict";
import { backupDue, startBackupSchedule } from "./backup_schedule.ts";
import { loadConfig } from "../config.ts";

Deno.test("scheduled backups: due when there is none or the newest is a period old", () => {
  const now = Date.UTC(2026, 11, 7, 12);
  assert.equal(backupDue(null, now, 24), true);
  assert.equal(backupDue(now / 1000 - 23 * 3600, now, 24), false);
  assert.equal(backupDue(now / 1000 - 24 * 3600, now, 24), true);
  // A backup stamped in the future (a skewed clock) does not trigger one.
  assert.equal(backupDue(now / 1000 + 60, now, 24), false);
});

Deno.test("scheduled backups: nothing runs without BACKUP_EVERY_HOURS or on the embedded database", async () => {
  for (const env of [{ DATABASE_URL: "postgres://x@127.0.0.1:1/db" }, { BACKUP_EVERY_HOURS: "24" }]) {
    let asked = false;
    const config = { ...loadConfig(env), jwtSecret: "x".repeat(32), syncSecret: "y".repeat(32) };
    const stop = startBackupSchedule({ config }, {
      now: () => {
        asked = true;
        return Date.now();
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    await stop();
    assert.equal(asked, false, JSON.stringify(env));
  }
});
