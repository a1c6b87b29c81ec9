/**
 * Backups of the embedded database (PGlite's data-directory tarball): refused while another process or
 * handle holds the directory, restored into a fresh DATA_DIR with equal row counts and ledger checksum, and
 * nothing installed from a damaged file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../db/client.ts";
import { EmbeddedInUse } from "../db/embedded.ts";
import { migrate } from "../db/migrate.ts";
import { createBackup, readFacts } from "../services/backup/backup.ts";
import { restoreBackup, TargetNotEmpty } from "../services/backup/restore.ts";
import { dirTarget } from "../services/backup/target.ts";
import { seedDemo } from "../services/demo/seed.ts";
import { openTestApp } from "./helpers/app.ts";

const POLICY = { keep: 14, maxAgeDays: 30 };

async function factsOf(dataDir: string) {
  const db = await openDb({ dataDir });
  try {
    return await readFacts(db);
  } finally {
    await db.close();
  }
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("embedded: backup → restore into a fresh DATA_DIR gives the same tables, rows and ledger", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "backup_embedded_test_" });
  const source = join(work, "source");
  const target = dirTarget(join(work, "backups"));
  try {
    const db = await openDb({ dataDir: source });
    await migrate(db);
    const { deps, close } = await openTestApp({ db });
    try {
      assert.ok((await seedDemo(deps.db, deps.totpKey, { world: deps }))?.world);

      await t.step("refused while the database is open elsewhere, with what to do", async () => {
        await assert.rejects(
          createBackup({ databaseUrl: undefined, dataDir: source, target, policy: POLICY }),
          (e) =>
            e instanceof EmbeddedInUse && /stop the app/.test(e.message) && e.message.includes(`${Deno.pid}`),
        );
        assert.deepEqual(await target.list(), [], "no backup, no partial file");
      });
    } finally {
      await close(); // closes db: the app is stopped
    }

    const { manifest } = await createBackup({
      databaseUrl: undefined,
      dataDir: source,
      target,
      policy: POLICY,
    });
    const file = join(work, "backups", manifest.file);
    const original = await factsOf(source);

    await t.step("the manifest describes the tarball and the database", async () => {
      assert.match(manifest.file, /-embedded\.tar\.gz$/);
      assert.equal(manifest.kind, "embedded");
      assert.match(manifest.server, /^PostgreSQL \d+\.\d+ \(PGlite [\d.]+\)$/);
      assert.equal(manifest.size, (await Deno.stat(file)).size);
      assert.deepEqual(manifest.rowCounts, original.rowCounts);
      assert.deepEqual(manifest.ledger, original.ledger);
      assert.ok(manifest.rowCounts.account_events > 0 && manifest.rowCounts.payouts > 0);
    });

    const fresh = join(work, "fresh");
    await t.step("restored into a fresh DATA_DIR: every table's row count and the ledger match", async () => {
      await restoreBackup({ databaseUrl: undefined, dataDir: fresh, file, target, force: false });
      const copy = await factsOf(fresh);
      assert.deepEqual(copy.rowCounts, original.rowCounts);
      assert.deepEqual(copy.ledger, original.ledger);
      assert.equal(copy.schemaVersion, original.schemaVersion);
      assert.equal(await exists(join(fresh, "pg", "PG_VERSION")), true);
      const leftovers = [...Deno.readDirSync(fresh)].map((e) => e.name).filter((n) =>
        n.startsWith(".restore-")
      );
      assert.deepEqual(leftovers, []);
    });

    await t.step(
      "a DATA_DIR that holds a database is refused unless --force, which keeps it aside",
      async () => {
        await assert.rejects(
          restoreBackup({ databaseUrl: undefined, dataDir: fresh, file, target, force: false }),
          (e) => e instanceof TargetNotEmpty && /--force/.test(e.message),
        );
        await restoreBackup({ databaseUrl: undefined, dataDir: fresh, file, target, force: true });
        const aside = [...Deno.readDirSync(fresh)].filter((e) => e.name.startsWith("pg.replaced-"));
        assert.equal(aside.length, 1);
        assert.deepEqual((await factsOf(fresh)).ledger, original.ledger);
      },
    );

    await t.step("a truncated tarball is refused by its sha256 and installs nothing", async () => {
      const bad = join(work, "bad", manifest.file);
      await Deno.mkdir(join(work, "bad"));
      const bytes = await Deno.readFile(file);
      await Deno.writeFile(bad, bytes.slice(0, bytes.length - 1024));
      await Deno.copyFile(`${file}.json`, `${bad}.json`);
      const empty = join(work, "empty");
      await assert.rejects(
        restoreBackup({ databaseUrl: undefined, dataDir: empty, file: bad, target, force: false }),
        /sha256 mismatch/,
      );
      assert.equal(await exists(join(empty, "pg")), false);
    });

    await t.step("a postgres backup is not restored into the embedded database", async () => {
      const manifestText = await Deno.readTextFile(`${file}.json`);
      const other = join(work, "kind", manifest.file);
      await Deno.mkdir(join(work, "kind"));
      await Deno.copyFile(file, other);
      await Deno.writeTextFile(
        `${other}.json`,
        manifestText.replace('"kind": "embedded"', '"kind": "postgres"'),
      );
      await assert.rejects(
        restoreBackup({
          databaseUrl: undefined,
          dataDir: join(work, "empty2"),
          file: other,
          target,
          force: false,
        }),
        /is a PostgreSQL backup: set DATABASE_URL/,
      );
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
