/**
 * Timing side channels on the auth forms. Medians of many interleaved requests, with a generous bound, so the
 * test holds on a loaded 2-core box; the figures are printed for the record.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, uniqueEmail } from "./helpers/client.ts";
import { openTestDb } from "./helpers/db.ts";
import { createMailer, type Mail } from "../services/mail/mod.ts";
import { setTimeout as delay } from "node:timers/promises";

const RUNS = 40;
/** What one SMTP delivery costs at least (a round trip or two to a mail server); ours is faked. */
const SMTP_MS = 10;

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

Deno.test("forgot-password takes the same time for a known and an unknown email (no account probing)", async () => {
  // A mailer as slow as SMTP: a mail sent on the request path would show as plainly as it does in production.
  const db = await openTestDb();
  const outbox = createMailer({ db, smtpUrl: undefined, env: "test", log: () => {} });
  const mailer = {
    async send(mail: Mail) {
      await delay(SMTP_MS);
      await outbox.send(mail);
    },
  };
  const { app, deps, close } = await openTestApp({ db, mailer });
  try {
    // One account per request: the per-address reset budget (3 an hour) must not be what is measured.
    const known = Array.from({ length: RUNS + 2 }, () => uniqueEmail("timing"));
    await deps.db.sql`
      insert into users (email, password_hash)
      select unnest(${known}::text[]), 'not-a-usable-hash'`;
    const times = { known: [] as number[], unknown: [] as number[] };
    // Each request from its own address (the per-IP budget too); known and unknown interleaved so drift in
    // the machine's load falls on both alike. The first pair warms up and is not counted.
    for (let i = 0; i < RUNS + 1; i++) {
      for (const kind of i % 2 ? ["known", "unknown"] as const : ["unknown", "known"] as const) {
        const email = kind === "known" ? known[i] : uniqueEmail("nobody");
        const c = client(app);
        const started = performance.now();
        const res = await c.json("POST", "/api/auth/forgot-password", { email });
        const took = performance.now() - started;
        assert.equal(res.status, 202);
        await deps.background.settled();
        if (i > 0) times[kind].push(took);
      }
    }
    const [k, u] = [median(times.known), median(times.unknown)];
    console.log(`forgot-password median over ${RUNS}: known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`);
    const bound = Math.max(2, 0.25 * Math.max(k, u));
    assert.ok(Math.abs(k - u) < bound, `known ${k.toFixed(2)} ms vs unknown ${u.toFixed(2)} ms`);
  } finally {
    await close();
  }
});
