import assert from "node:assert/strict";
import { openDb } from "./client.ts";
import { openTestDb } from "../tests/helpers/db.ts";
import { skipUnless, testEnv } from "../tests/helpers/env.ts";

Deno.test("numerics come back as exact strings, timestamps as Dates, jsonb as objects", async () => {
  const db = await openTestDb();
  try {
    await db.ping();
    const [row] = await db.sql`
      select 9999999999999.99::numeric(15,2) as money, 0.00000001::numeric(20,8) as price,
             now() as at, '{"a":"1.10"}'::jsonb as doc, 9007199254740993::bigint as big`;
    assert.equal(row.money, "9999999999999.99");
    assert.equal(row.price, "0.00000001");
    assert.ok(row.at instanceof Date);
    assert.deepEqual(row.doc, { a: "1.10" });
    assert.equal(row.big, "9007199254740993", "int8 is not squeezed into a float either");
  } finally {
    await db.close();
  }
});

Deno.test("a transaction commits what it returns and rolls back when it throws", async () => {
  const db = await openTestDb();
  try {
    const email = `tx-${crypto.randomUUID()}@example.test`;
    await assert.rejects(
      db.tx(async (tx) => {
        await tx`insert into users (email, password_hash) values (${email}, 'x')`;
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal((await db.sql`select 1 from users where email = ${email}`).length, 0);

    const id = await db.tx(async (tx) => {
      const [user] = await tx<
        { id: string }[]
      >`insert into users (email, password_hash) values (${email}, 'x') returning id`;
      return user.id;
    });
    assert.match(id, /^[0-9a-f-]{36}$/);
    // The unique index is on lower(email).
    await assert.rejects(
      db.sql`insert into users (email, password_hash) values (${email.toUpperCase()}, 'x')`,
      /users_email_lower_key/,
    );
  } finally {
    await db.close();
  }
});

Deno.test({
  name: "a schema option isolates a handle's tables on a real server",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set: real PostgreSQL tests skipped"),
  async fn() {
    const schema = `test_client_${crypto.randomUUID().slice(0, 8)}`;
    const db = await openDb({ url: testEnv.databaseUrl, schema, poolMax: 2 });
    try {
      assert.equal(db.kind, "postgres");
      const [{ current }] = await db.sql`select current_schema() as current`;
      assert.equal(current, schema);
    } finally {
      await db.sql.unsafe(`drop schema "${schema}" cascade`);
      await db.close();
      await db.close(); // idempotent
    }
    await assert.rejects(openDb({ url: testEnv.databaseUrl, schema: "bad; drop" }), /invalid schema name/);
  },
});

Deno.test("parameters are typed as the app was written for: instants as text reach the server as they are", async () => {
  const db = await openTestDb();
  try {
    const pgText = "2026-05-01 00:00:00.123456+00";
    const iso = "2026-05-01T00:00:00.123456Z";
    const at = new Date("2026-05-01T00:00:00.123Z");
    const [row] = await db.sql<
      { text: string; iso: string; days: string; date: string; date_type: string; flag: boolean }[]
    >`
      select (${pgText}::timestamptz at time zone 'UTC')::text as text,
             (${iso}::timestamptz at time zone 'UTC')::text as iso,
             (select string_agg((d at time zone 'UTC')::text, ',') from unnest(${[
      pgText,
      iso,
    ]}::timestamptz[]) d)
               as days,
             (${at}::timestamptz at time zone 'UTC')::text as date, pg_typeof(${at})::text as date_type,
             pg_typeof(${true})::text = 'boolean' as flag`;
    // PostgreSQL's own text form (read back from a row) and microseconds survive the trip.
    assert.equal(row.text, "2026-05-01 00:00:00.123456");
    assert.equal(row.iso, "2026-05-01 00:00:00.123456");
    assert.equal(row.days, "2026-05-01 00:00:00.123456,2026-05-01 00:00:00.123456");
    // A Date goes as a timestamptz, a boolean as a boolean (typed from the value, not left to the server).
    assert.equal(row.date, "2026-05-01 00:00:00.123");
    assert.equal(row.date_type, "timestamp with time zone");
    assert.equal(row.flag, true);
  } finally {
    await db.close();
  }
});
