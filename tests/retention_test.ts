/**
 * Retention (issue #15): the privacy notice shows exactly the periods in services/retention.ts, and each
 * pruning job deletes only what is older than that same period — one minute past the cut-off goes, one
 * minute short of it stays — against the real database and object store.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import {
  describePeriod,
  describeRetention,
  RETENTION,
  retentionCutoff,
  type RetentionKind,
  subtractPeriod,
} from "../services/retention.ts";
import { runRetention, startRetention } from "../services/privacy/prune.ts";
import type { Sql } from "../db/client.ts";
import { textOf } from "./helpers/html.ts";

const MINUTE = 60_000;

Deno.test("retention: periods count in calendar units", () => {
  assert.equal(
    subtractPeriod(new Date("2028-02-29T12:00:00Z"), { amount: 1, unit: "year" }).toISOString(),
    "2027-02-28T12:00:00.000Z",
  );
  assert.equal(
    subtractPeriod(new Date("2026-03-31T00:00:00Z"), { amount: 30, unit: "day" }).toISOString(),
    "2026-03-01T00:00:00.000Z",
  );
  assert.equal(describePeriod({ amount: 1, unit: "year" }), "1 year");
  assert.equal(describePeriod({ amount: 30, unit: "day" }), "30 days");
});

Deno.test("retention: the privacy notice states exactly the periods the jobs use", async () => {
  const { app, close } = await openTestApp();
  try {
    const res = await client(app).request("/legal/privacy");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const text = textOf(await res.text());
    const table = text.slice(
      text.indexOf("What we store, why and for how long"),
      text.indexOf("Who else sees it"),
    );
    assert.ok(table.length > 500, "the notice's table of records is there");
    for (const kind of Object.keys(RETENTION) as RetentionKind[]) {
      assert.ok(table.includes(describeRetention(kind)), `the notice says "${describeRetention(kind)}"`);
    }
    // No period in the table that the jobs do not use (a hand-written "3 years" would show up here).
    const stated = new Set(table.match(/\b\d+ (?:days?|years?|months?|weeks?)\b/g));
    const used = new Set(Object.values(RETENTION).map((r) => describePeriod(r.period)));
    assert.deepEqual([...stated].sort(), [...used].sort());
  } finally {
    await close();
  }
});

async function erasedUser(sql: Sql, erasedAt: Date): Promise<string> {
  const id = crypto.randomUUID();
  await sql`
    insert into users (id, email, password_hash, status, erased_at)
    values (${id}, ${`erased-${id}@erased.invalid`}, '!erased', 'closed', ${erasedAt})`;
  return id;
}

async function document(sql: Sql, store: { put(k: string, b: string): Promise<void> }, userId: string) {
  const key = `kyc/${userId}/${crypto.randomUUID()}`;
  await store.put(key, "encrypted bytes");
  await sql`
    insert into kyc_documents (user_id, kind, content_type, storage_key, key_id, size_bytes)
    values (${userId}, 'identity_front', 'image/png', ${key}, 'k1', 15)`;
  return key;
}

Deno.test("retention: each job deletes only what is older than its period", async (t) => {
  const { deps, close } = await openTestApp();
  const { sql } = deps.db;
  const now = new Date();
  const around = (kind: RetentionKind) => {
    const cutoff = retentionCutoff(kind, now).getTime();
    return { old: new Date(cutoff - MINUTE), young: new Date(cutoff + MINUTE) };
  };
  try {
    const owner = await erasedUser(sql, new Date()); // holds the sessions; erased just now, so nothing else goes
    const s = around("sessions");
    const [oldRevoked, youngRevoked, oldExpired, live] = await Promise.all(
      [
        [s.old, "logout", s.old],
        [s.young, "logout", new Date(now.getTime() + 86_400_000)],
        [null, null, s.old],
        [null, null, new Date(now.getTime() + 86_400_000)],
      ].map(async ([revokedAt, reason, expiresAt]) => {
        const [row] = await sql<{ id: string }[]>`
          insert into auth_sessions (user_id, created_at, expires_at, revoked_at, revoked_reason)
          values (${owner}, ${new Date(0)}, ${expiresAt}, ${revokedAt}, ${reason}) returning id`;
        return row.id;
      }),
    );
    const marker = crypto.randomUUID();
    const a = around("auditLog");
    for (const [at, tag] of [[a.old, "old"], [a.young, "young"]] as const) {
      await sql`insert into audit_log (at, action, target_type, target_id) values (${at}, 'auth.login', ${tag}, ${marker})`;
    }
    const m = around("mailOutbox");
    for (const [at, tag] of [[m.old, "old"], [m.young, "young"]] as const) {
      await sql`insert into mail_outbox (to_address, subject, text_body, created_at)
                values (${`${tag}-${marker}@example.test`}, 'x', 'x', ${at})`;
    }
    const k = around("kycDocuments");
    const kycOld = await erasedUser(sql, k.old);
    const kycYoung = await erasedUser(sql, k.young);
    const oldKey = await document(sql, deps.store, kycOld);
    const youngKey = await document(sql, deps.store, kycYoung);
    const f = around("financialRecords");
    const finOld = await erasedUser(sql, f.old);
    const finYoung = await erasedUser(sql, f.young);
    const finOldKey = await document(sql, deps.store, finOld);
    // A user something unknown to the purge still references: kept (and logged), the others still go.
    const finBlocked = await erasedUser(sql, f.old);
    await sql`create table retention_blocker (user_id uuid references users (id) on delete restrict)`;
    await sql`insert into retention_blocker values (${finBlocked})`;
    for (const id of [finOld, finYoung]) {
      const { accountId, planVersionId } = await openTestAccount(deps.db, id);
      await sql`insert into trades (account_id, external_id, symbol, direction, volume, entry_price, opened_at)
                values (${accountId}, 't1', 'EURUSD', 'buy', 1, 1.1, now())`;
      await sql`insert into orders (user_id, plan_version_id, currency, list_price, amount, status, provider, paid_at)
                values (${id}, ${planVersionId}, 'USD', 100, 100, 'paid', 'demo', now())`;
      await sql`insert into payouts (user_id, account_id, amount, currency, status, processed_at)
                values (${id}, ${accountId}, 10, 'USD', 'cancelled', now())`;
      await sql`insert into audit_log (actor_id, action, target_type, target_id) values (${id}, 'auth.login', 'kept', ${id})`;
    }

    await t.step("one pass", async () => {
      const counts = await runRetention(deps, now);
      assert.ok(
        counts.sessions >= 2 && counts.auditLog >= 1 && counts.mailOutbox >= 1,
        JSON.stringify(counts),
      );
      assert.ok(counts.kycDocuments >= 1 && counts.erasedUsers >= 1, JSON.stringify(counts));
    });

    await t.step("sessions: ended before the cut-off go; later and live ones stay", async () => {
      const left = await sql<{ id: string }[]>`select id from auth_sessions where user_id = ${owner}`;
      assert.deepEqual(left.map((r) => r.id).sort(), [youngRevoked, live].sort());
      assert.ok(![oldRevoked, oldExpired].some((id) => left.some((r) => r.id === id)));
    });

    await t.step("audit log and mail log: only the entry past the period goes", async () => {
      const audit = await sql`select target_type from audit_log where target_id = ${marker}`;
      assert.deepEqual(audit.map((r) => r.target_type), ["young"]);
      const mails =
        await sql`select to_address from mail_outbox where to_address like ${`%-${marker}@example.test`}`;
      assert.deepEqual(mails.map((r) => r.to_address), [`young-${marker}@example.test`]);
    });

    await t.step(
      "KYC documents: bytes and row gone past the period after erasure; younger kept",
      async () => {
        assert.equal(await deps.store.get(oldKey), null);
        assert.ok(await deps.store.get(youngKey));
        const rows = await sql`select user_id from kyc_documents where user_id = any(${[
          kycOld,
          kycYoung,
        ]}::uuid[])`;
        assert.deepEqual(rows.map((r) => r.user_id), [kycYoung]);
      },
    );

    await t.step(
      "financial records: the user erased past the period goes with every record; younger kept",
      async () => {
        const count = (id: string) =>
          sql<{ n: number }[]>`
          select (select count(*) from users where id = ${id}) + (select count(*) from orders where user_id = ${id})
               + (select count(*) from payouts where user_id = ${id}) + (select count(*) from accounts where user_id = ${id})
               + (select count(*) from challenges where user_id = ${id}) as n`.then((r) => Number(r[0].n));
        assert.equal(await count(finOld), 0);
        assert.equal(await count(finBlocked), 1);
        assert.equal(await count(finYoung), 5);
        assert.equal(await deps.store.get(finOldKey), null);
        // Their audit entries stay for the audit period, without the link.
        const [entry] =
          await sql`select actor_id from audit_log where target_type = 'kept' and target_id = ${finOld}`;
        assert.equal(entry.actor_id, null);
      },
    );

    await t.step("the scheduler runs the same jobs (started as the server starts it)", async () => {
      const key = `later-${marker}`;
      await sql`insert into audit_log (at, action, target_type, target_id) values (${a.old}, 'auth.login', 'old', ${key})`;
      const stop = startRetention(deps, { intervalMs: 3_600_000, clock: () => now });
      try {
        for (let i = 0; i < 100; i++) {
          const [row] = await sql`select count(*)::int as n from audit_log where target_id = ${key}`;
          if (row.n === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await stop();
      }
      const [row] = await sql`select count(*)::int as n from audit_log where target_id = ${key}`;
      assert.equal(row.n, 0);
    });
  } finally {
    await close();
  }
});
