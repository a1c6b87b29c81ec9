/**
 * Migration 033 gives existing accounts their trade source from their history: the venue's where it filled
 * an order (a venue position; also where both fed it), the connector's where there are only trades or
 * trade/equity events, none where nothing was traded yet.
 */
import assert from "node:assert/strict";
import { migrate } from "../db/migrate.ts";
import { openSchemaDb } from "./helpers/db.ts";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { openTestAccount } from "./helpers/accounts.ts";

const MIGRATIONS = new URL("../db/migrations/", import.meta.url);

Deno.test({
  name: "migration 033: trade_source backfilled from venue positions, trades and events",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set: migration test skipped"),
  async fn() {
    const db = await openSchemaDb(testEnv.databaseUrl!, { migrated: false });
    const before = await Deno.makeTempDir({ prefix: "migrations-032-" });
    try {
      // Every migration before 033, then the data, then 033 itself.
      for await (const entry of Deno.readDir(MIGRATIONS)) {
        if (entry.name.endsWith(".sql") && Number(entry.name.slice(0, 3)) < 33) {
          await Deno.copyFile(new URL(entry.name, MIGRATIONS), `${before}/${entry.name}`);
        }
      }
      await migrate(db, new URL(`file://${before}/`));
      const sql = db.sql;
      const [{ id: userId }] = await sql<{ id: string }[]>`
        insert into users (email, password_hash) values (${`src-${crypto.randomUUID()}@example.test`}, 'x')
        returning id`;
      const open = async () => (await openTestAccount(db, userId)).accountId;
      const [venue, events, trades, both, none] = [
        await open(),
        await open(),
        await open(),
        await open(),
        await open(),
      ];
      const position = (id: string) =>
        sql`insert into venue_positions (account_id, trade_id, symbol, direction, volume, open_price, opened_at)
            values (${id}, ${`V-${crypto.randomUUID().slice(0, 8)}`}, 'EURUSD', 'buy', 1, 1.08, now())`;
      const event = (id: string) =>
        sql`insert into account_events (account_id, event_id, type, at, payload, state_version)
            values (${id}, ${crypto.randomUUID()}, 'equity', now(), '{}', 2)`;
      await position(venue);
      await event(events);
      await sql`insert into trades (account_id, external_id, symbol, direction, volume, entry_price, opened_at)
                values (${trades}, 'MT5-9', 'EURUSD', 'sell', 1, 1.08, now())`;
      await position(both);
      await event(both);

      const { applied } = await migrate(db);
      assert.ok(applied.includes("033_trade_source.sql"), applied.join(", "));
      const rows = await sql<{ id: string; trade_source: string | null }[]>`
        select id, trade_source from accounts where user_id = ${userId}`;
      const of = new Map(rows.map((r) => [r.id, r.trade_source]));
      assert.deepEqual(
        [venue, events, trades, both, none].map((id) => of.get(id)),
        ["venue", "connector", "connector", "venue", null],
      );
      await assert.rejects(sql`update accounts set trade_source = 'mt5' where id = ${none}`, /check/);
    } finally {
      await Deno.remove(before, { recursive: true });
      await db.close();
    }
  },
});
