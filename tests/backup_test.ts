/**
 * Backups end to end (services/backup/): the demo world is seeded, backed up, restored into an empty
 * database, and the copy is compared with the original table by table (row counts) and by the ledger
 * checksum. Real PostgreSQL (whole scratch databases) and the embedded PGlite (fresh data directories).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Db, openDb } from "../db/client.ts";
import { migrate, readMigrations } from "../db/migrate.ts";
import { createBackup, readFacts } from "../services/backup/backup.ts";
import { restoreBackup, TargetNotEmpty } from "../services/backup/restore.ts";
import { type BackupTarget, dirTarget, storeTarget } from "../services/backup/target.ts";
import { seedDemo } from "../services/demo/seed.ts";
import { createStore } from "../services/storage/mod.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../services/storage/testing.ts";
import { openTestApp } from "./helpers/app.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { createScratchDb } from "./helpers/scratch_db.ts";

const POLICY = { keep: 14, maxAgeDays: 30 };

/** The name of the newest migration file, e.g. `016_statistics_indexes`: what a backup's schema version says. */
async function latestMigration(): Promise<string> {
  const files = await readMigrations(new URL("../db/migrations/", import.meta.url));
  return files.at(-1)!.file.replace(/\.sql$/, "");
}

/** The demo world (trader history through the live paths, KYC, a payout) on `db`, which it closes. */
async function seedWorld(db: Db): Promise<void> {
  const { deps, close } = await openTestApp({ db });
  try {
    const credentials = await seedDemo(deps.db, deps.totpKey, { world: deps });
    assert.ok(credentials?.world, "the scratch database starts empty, so the world is seeded");
  } finally {
    await close();
  }
}

async function tableCount(url: string): Promise<number> {
  const db = await openDb({ url, poolMax: 1 });
  try {
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`;
    return n;
  } finally {
    await db.close();
  }
}

async function factsOf(url: string) {
  const db = await openDb({ url, poolMax: 1 });
  try {
    return await readFacts(db);
  } finally {
    await db.close();
  }
}

/** A copy of a backup (and its manifest) with its bytes changed by `damage`, in `dir`. */
async function damagedCopy(file: string, dir: string, damage: (bytes: Uint8Array) => Uint8Array) {
  const name = file.split("/").at(-1)!;
  const copy = join(dir, name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(copy, damage(await Deno.readFile(file)));
  await Deno.copyFile(`${file}.json`, `${copy}.json`);
  return copy;
}

const truncate = (bytes: Uint8Array) => bytes.slice(0, Math.floor(bytes.length / 2));
const flipByte = (bytes: Uint8Array) => {
  const copy = bytes.slice();
  copy[Math.floor(copy.length / 2)] ^= 0xff;
  return copy;
};

Deno.test({
  name: "postgres: backup → restore into an empty database gives the same tables, rows and ledger",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set"),
  async fn(t) {
    const server = testEnv.databaseUrl!;
    const work = await Deno.makeTempDir({ prefix: "backup_test_" });
    const source = await createScratchDb(server, "backup_src");
    const scratch = [source];
    const empty = async () => {
      const db = await createScratchDb(server, "backup_dst");
      scratch.push(db);
      return db;
    };
    try {
      const db = await openDb({ url: source.url, poolMax: 4 });
      await migrate(db);
      await seedWorld(db);
      const target = dirTarget(join(work, "backups"));

      // Writes keep coming while the backup runs: the manifest must describe exactly what was dumped.
      const writer = await openDb({ url: source.url, poolMax: 1 });
      await writer
        .sql`create table backup_probe (id serial primary key, at timestamptz not null default now())`;
      let writing = true;
      const writes = (async () => {
        while (writing) await writer.sql`insert into backup_probe default values`;
      })();
      let backup;
      try {
        backup = await createBackup({ databaseUrl: source.url, dataDir: work, target, policy: POLICY });
      } finally {
        writing = false;
        await writes;
        await writer.close();
      }
      const { manifest } = backup;
      const file = join(work, "backups", manifest.file);

      await t.step("the manifest names the file, its digest, the schema version and the ledger", async () => {
        assert.match(manifest.file, /^proptrade-\d{8}T\d{9}Z-postgres\.dump$/);
        assert.equal(manifest.kind, "postgres");
        assert.equal(manifest.size, (await Deno.stat(file)).size);
        assert.equal(manifest.schemaVersion, await latestMigration());
        assert.match(manifest.tool, /^pg_dump \(PostgreSQL\) \d+\.\d+/);
        assert.ok(manifest.rowCounts.users >= 2 && manifest.rowCounts.account_events > 0, "the world is in");
        assert.ok(
          manifest.ledger.tables.includes("account_events") && manifest.ledger.tables.includes("payouts"),
        );
        const header = (await Deno.readFile(file)).slice(0, 5);
        assert.equal(new TextDecoder().decode(header), "PGDMP", "pg_dump's custom format");
        const listed = await target.list();
        assert.deepEqual(listed.map((m) => m.file), [manifest.file]);
      });

      const restored = await empty();
      await t.step(
        "restored into an empty database: every table's row count and the ledger match",
        async () => {
          const result = await restoreBackup({
            databaseUrl: restored.url,
            dataDir: work,
            file,
            target,
            force: false,
          });
          const copy = await factsOf(restored.url);
          assert.deepEqual(copy.rowCounts, manifest.rowCounts);
          assert.deepEqual(copy.ledger, manifest.ledger);
          assert.deepEqual(result.facts, copy);
          // The source moved on after the snapshot (the writer), so compare the tables nobody wrote since.
          const now = await factsOf(source.url);
          assert.ok(now.rowCounts.backup_probe >= manifest.rowCounts.backup_probe);
          assert.equal(now.ledger.sha256, copy.ledger.sha256, "the ledger of the copy equals the original's");
          for (const [table, rows] of Object.entries(now.rowCounts)) {
            if (table !== "backup_probe") assert.equal(copy.rowCounts[table], rows, table);
          }
        },
      );

      await t.step("a database that holds tables is refused, untouched, unless --force", async () => {
        const before = await factsOf(restored.url);
        await assert.rejects(
          restoreBackup({ databaseUrl: restored.url, dataDir: work, file, target, force: false }),
          (e) => e instanceof TargetNotEmpty && /not empty/.test(e.message) && /--force/.test(e.message),
        );
        assert.deepEqual(await factsOf(restored.url), before);
        const extra = await openDb({ url: restored.url, poolMax: 1 });
        await extra.sql`delete from account_events where ctid in (select ctid from account_events limit 3)`;
        await extra.close();
        assert.notEqual(
          (await factsOf(restored.url)).ledger.sha256,
          manifest.ledger.sha256,
          "the ledger notices",
        );
        await restoreBackup({ databaseUrl: restored.url, dataDir: work, file, target, force: true });
        const replaced = await factsOf(restored.url);
        assert.deepEqual(replaced.ledger, manifest.ledger, "--force puts the backup's ledger back");
      });

      for (const [what, damage] of [["truncated", truncate], ["altered", flipByte]] as const) {
        await t.step(`a ${what} backup is refused by its sha256 and restores nothing`, async () => {
          const bad = await damagedCopy(file, join(work, what), damage);
          const target = await empty();
          await assert.rejects(
            restoreBackup({
              databaseUrl: target.url,
              dataDir: work,
              file: bad,
              target: dirTarget(work),
              force: false,
            }),
            /sha256 mismatch.*Nothing was restored/s,
          );
          assert.equal(await tableCount(target.url), 0);
        });
      }

      await t.step("a backup without its manifest is refused", async () => {
        const lone = join(work, "lone", manifest.file);
        await Deno.mkdir(join(work, "lone"));
        await Deno.copyFile(file, lone);
        await assert.rejects(
          restoreBackup({
            databaseUrl: (await empty()).url,
            dataDir: work,
            file: lone,
            target,
            force: false,
          }),
          /has no manifest beside it/,
        );
      });

      await t.step("retention keeps the newest BACKUP_KEEP and prunes only after a success", async () => {
        const dir = join(work, "retention");
        const target = dirTarget(dir);
        const policy = { keep: 2, maxAgeDays: 30 };
        const base = Date.parse("2026-01-01T00:00:00Z");
        const at = (minutes: number) => () => new Date(base + minutes * 60_000);
        const files: string[] = [];
        for (const minute of [0, 1, 2]) {
          const { manifest, pruned } = await createBackup({
            databaseUrl: source.url,
            dataDir: work,
            target,
            policy,
            now: at(minute),
          });
          files.push(manifest.file);
          assert.deepEqual(pruned, minute === 2 ? [files[0]] : []);
        }
        assert.deepEqual((await target.list()).map((m) => m.file), files.slice(1));
        assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
          files[1],
          `${files[1]}.json`,
          files[2],
          `${files[2]}.json`,
        ]);
        // A failing backup (the database is gone) prunes nothing and leaves no partial file.
        await assert.rejects(
          createBackup({
            databaseUrl: source.url.replace(source.name, "backup_no_such_db"),
            dataDir: work,
            target,
            policy: { keep: 1, maxAgeDays: 1 },
            now: at(60 * 24 * 90),
          }),
        );
        assert.equal([...Deno.readDirSync(dir)].length, 4);
        // Age: 40 days later, everything older than 30 days goes except the new backup.
        const late = await createBackup({
          databaseUrl: source.url,
          dataDir: work,
          target,
          policy,
          now: at(60 * 24 * 40),
        });
        assert.deepEqual(late.pruned, files.slice(1));
        assert.deepEqual((await target.list()).map((m) => m.file), [late.manifest.file]);
      });

      await t.step("deno task backup / restore: the commands, their output and exit codes", async () => {
        const cli = async (args: string[], databaseUrl: string) => {
          const out = await new Deno.Command(Deno.execPath(), {
            args: ["run", "-A", "--no-check", "fresh.config.ts", ...args],
            cwd: new URL("..", import.meta.url).pathname,
            env: {
              DATABASE_URL: databaseUrl,
              DATA_DIR: work,
              BACKUP_DIR: join(work, "cli"),
              BACKUP_KEEP: "3",
            },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
          return { code: out.code, text };
        };
        const made = await cli(["backup"], source.url);
        assert.equal(made.code, 0, made.text);
        assert.match(
          made.text,
          /Backup written to .*\/cli: proptrade-\S+-postgres\.dump\n.*ledger [0-9a-f]{16}/,
        );
        const name = /(proptrade-\S+-postgres\.dump)/.exec(made.text)![1];
        const into = await empty();
        const bad = await damagedCopy(join(work, "cli", name), join(work, "cli-bad"), truncate);
        const refused = await cli(["restore", bad], into.url);
        assert.equal(refused.code, 1);
        assert.match(refused.text, /sha256 mismatch/);
        const done = await cli(["restore", join(work, "cli", name)], into.url);
        assert.equal(done.code, 0, done.text);
        assert.match(
          done.text,
          /Restored proptrade-\S+ into the database at DATABASE_URL\.\n {2}Verified: postgres/,
        );
        const again = await cli(["restore", join(work, "cli", name)], into.url);
        assert.equal(again.code, 1);
        assert.match(again.text, /not empty/);
      });

      await t.step("to the object store (S3) and back by name", async () => {
        const s3 = await startS3rver("backups");
        try {
          const store = createStore({
            s3: { endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", ...S3RVER_CREDENTIALS },
            dataDir: work,
            appUrl: "http://localhost:8000",
            signingSecret: "x".repeat(32),
          });
          const target: BackupTarget = storeTarget(store);
          const { manifest: stored } = await createBackup({
            databaseUrl: source.url,
            dataDir: work,
            target,
            policy: POLICY,
          });
          assert.deepEqual(await store.list("backups/"), [
            `backups/${stored.file}`,
            `backups/${stored.file}.json`,
          ]);
          const restored = await empty();
          await restoreBackup({
            databaseUrl: restored.url,
            dataDir: work,
            file: stored.file,
            target,
            force: false,
          });
          assert.deepEqual((await factsOf(restored.url)).ledger, stored.ledger);
        } finally {
          await s3.close();
        }
      });

      await db.close();
    } finally {
      for (const db of scratch) await db.drop();
      await Deno.remove(work, { recursive: true });
    }
  },
});
