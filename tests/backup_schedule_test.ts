/**
 * The scheduled backup (services/cluster/backup_schedule.ts) across a leader hand-over: for a moment two
 * processes run the schedule, and a backup already running in the old leader keeps running after the new one
 * started. Real PostgreSQL (a scratch database) and a directory target.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { dirTarget } from "../services/backup/target.ts";
import { startBackupSchedule } from "../services/cluster/backup_schedule.ts";
import { loadConfig } from "../services/config.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { createScratchDb } from "./helpers/scratch_db.ts";

Deno.test({
  name: "scheduled backups: two leaders at once (a hand-over) write one backup, not two at the same time",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set"),
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "backup_schedule_test_" });
    const scratch = await createScratchDb(testEnv.databaseUrl!, "backup_sched");
    try {
      const db = await openDb({ url: scratch.url, poolMax: 2 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      const dir = join(work, "backups");
      const env = { DATABASE_URL: scratch.url, DATA_DIR: work, BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "24" };
      const config = { ...loadConfig(env), jwtSecret: "x".repeat(32), syncSecret: "y".repeat(32) };
      // The old leader and the new one: both find no backup in the target and tick at once.
      const stops = [startBackupSchedule({ config }), startBackupSchedule({ config })];
      const target = dirTarget(dir);
      const deadline = Date.now() + 60_000;
      while ((await target.list()).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // Stopping waits for a backup in progress: whatever either process started is finished here.
      await Promise.all(stops.map((stop) => stop()));
      const backups = (await target.list()).map((m) => m.file);
      assert.equal(backups.length, 1, `one backup, got ${JSON.stringify(backups)}`);
    } finally {
      await scratch.drop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
