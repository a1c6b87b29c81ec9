/**
 * The scheduled backup's lock (services/cluster/backup_schedule.ts) is a session-level advisory lock on a
 * connection of its own. If that connection drops mid-backup the server frees the lock silently and another
 * process may start a second dump; the backup that lost its lock must notice, stop and not file itself as
 * complete. The lock's connection goes through a proxy that drops it without restarting the shared server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { dirTarget } from "../services/backup/target.ts";
import { BACKUP_LOCK_CLASS, startBackupSchedule } from "../services/cluster/backup_schedule.ts";
import { loadConfig } from "../services/config.ts";
import { configureLog } from "../services/log.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { createScratchDb } from "./helpers/scratch_db.ts";
import { cutProxy } from "./helpers/cut_proxy.ts";

Deno.test({
  name: "scheduled backup: a lock lost mid-backup (its connection dropped) stops the backup, none is filed",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set"),
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "backup_lock_test_" });
    const scratch = await createScratchDb(testEnv.databaseUrl!, "backup_lock");
    const real = new URL(scratch.url);
    const proxy = cutProxy({ hostname: real.hostname, port: Number(real.port || 5432) });
    const lockUrl = Object.assign(new URL(scratch.url), { port: String(proxy.port) }).toString();
    const watcher = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const lines: string[] = [];
    const previous = configureLog({ write: (line) => void lines.push(line) });
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
      const stop = startBackupSchedule({ config }, { lockUrl });
      // The moment the backup holds its lock, its connection drops: the server frees the lock.
      const held = async () =>
        (await watcher<{ n: number }[]>`
          select count(*)::int as n from pg_locks
          where locktype = 'advisory' and granted and classid = ${BACKUP_LOCK_CLASS} and objid = 0
            and database = (select oid from pg_database where datname = current_database())`)[0].n > 0;
      const deadline = Date.now() + 30_000;
      while (!await held()) {
        assert.ok(Date.now() < deadline, "the scheduled backup never took its lock");
        await new Promise((r) => setTimeout(r, 5));
      }
      proxy.cut();
      // The server frees it once it sees the session end: another process could start a dump from then on.
      while (await held()) {
        assert.ok(Date.now() < deadline, "the lock was never freed");
        await new Promise((r) => setTimeout(r, 5));
      }
      await stop(); // waits for the backup in progress
      const backups = (await dirTarget(dir).list()).map((m) => m.file);
      assert.deepEqual(backups, [], "a backup that lost its lock was filed as complete");
      assert.ok(
        lines.some((line) => /lost its lock/.test(line)),
        `no line says the lock was lost:\n${lines.join("\n")}`,
      );
    } finally {
      configureLog(previous);
      await watcher.end();
      await proxy.close();
      await scratch.drop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
