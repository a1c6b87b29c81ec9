/**
 * While the database cannot be reached, requests that need it answer 503 with Retry-After — an outage the
 * client can wait out, as `/readyz` says — not the 500 of a bug (found by bench/load.ts's PostgreSQL fault).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { openTestApp } from "./helpers/app.ts";
import { freePort } from "./helpers/net.ts";
import type { Db } from "../db/client.ts";
import { isDatabaseUnavailable } from "../db/client.ts";

/** A database client whose server is gone: every query fails to connect. */
function unreachableDb(): Db {
  const sql = postgres(`postgres://postgres@127.0.0.1:${freePort()}/none`, {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });
  return {
    sql,
    kind: "postgres",
    tx: (fn) => sql.begin(fn) as never,
    ping: async () => void await sql`select 1`,
    pool: { max: 1, transactions: () => 0 },
    close: () => sql.end({ timeout: 1 }),
  } as Db;
}

Deno.test("with the database down, pages and the API answer 503 with Retry-After, not 500", async () => {
  const testApp = await openTestApp();
  const realDb = testApp.deps.db;
  const dead = unreachableDb();
  try {
    // Routes read the database through the shared deps on every request.
    (testApp.deps as { db: Db }).db = dead;

    const api = await testApp.app.request("/api/challenges");
    assert.equal(api.status, 503);
    assert.equal(api.headers.get("content-type"), "application/json");
    assert.equal(api.headers.get("retry-after"), "5");
    const body = await api.json();
    assert.equal(body.error.code, "unavailable");
    assert.match(body.error.message, /try again/i);

    // A page that reads the database (the first request: nothing cached yet) gets the error page, 503.
    const page = await testApp.app.request("/challenges");
    assert.equal(page.status, 503);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(page.headers.get("retry-after"), "5");
    await page.body?.cancel();

    const ready = await testApp.app.request("/readyz");
    assert.equal(ready.status, 503);
    await ready.body?.cancel();
  } finally {
    (testApp.deps as { db: Db }).db = realDb;
    await dead.close();
    await testApp.close();
  }
});

Deno.test("the classifier: connection failures and server shutdowns are an outage; a query error is not", () => {
  for (
    const code of [
      "ECONNREFUSED",
      "CONNECT_TIMEOUT",
      "CONNECTION_CLOSED",
      "CONNECTION_ENDED",
      "57P01",
      "08006",
    ]
  ) {
    assert.equal(isDatabaseUnavailable(Object.assign(new Error("x"), { code })), true, code);
  }
  for (const code of ["23505", "42P01", "40001", undefined]) {
    assert.equal(isDatabaseUnavailable(Object.assign(new Error("x"), { code })), false, String(code));
  }
  assert.equal(isDatabaseUnavailable("ECONNREFUSED"), false);
});
