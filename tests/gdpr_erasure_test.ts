/**
 * GDPR erasure (issue #15) against the real services: every personal value of the trader is gone from every
 * table (a scan of all rows for the old email, names and IP), the financial records and their sums are kept,
 * sessions end and sign-in is impossible, a second erasure changes nothing, and the refusals (wrong password,
 * not confirmed, payout under way, staff) leave the account as it was.
 */
import assert from "node:assert/strict";
import type { Sql } from "../db/client.ts";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { richTrader } from "./helpers/gdpr.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { erasedEmail, eraseUser } from "../services/privacy/erase.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

/** `table: n` for every table of the schema with rows whose text contains `needle` (case-insensitive). */
async function rowsMentioning(sql: Sql, needle: string): Promise<string[]> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`;
  const found: string[] = [];
  for (const { name } of tables) {
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from ${
      sql(name)
    } t where strpos(lower(t::text), ${needle.toLowerCase()}) > 0`;
    if (n > 0) found.push(`${name}: ${n}`);
  }
  return found;
}

/** The financial records of a user and their sums: what erasure must leave exactly as it was. */
async function ledger(sql: Sql, userId: string) {
  const [row] = await sql`
    select (select count(*)::int from orders where user_id = ${userId}) as orders,
           (select coalesce(sum(amount), 0)::text from orders where user_id = ${userId}) as order_sum,
           (select count(*)::int from payouts where user_id = ${userId}) as payouts,
           (select coalesce(sum(amount), 0)::text from payouts where user_id = ${userId}) as payout_sum,
           (select count(*)::int from trades t join accounts a on a.id = t.account_id where a.user_id = ${userId})
             as trades,
           (select coalesce(sum(pnl), 0)::text from trades t join accounts a on a.id = t.account_id
             where a.user_id = ${userId}) as pnl_sum,
           (select count(*)::int from account_events e join accounts a on a.id = e.account_id
             where a.user_id = ${userId}) as events,
           (select count(*)::int from breaches b join accounts a on a.id = b.account_id where a.user_id = ${userId})
             as breaches,
           (select count(*)::int from challenges where user_id = ${userId}) as challenges,
           (select count(*)::int from kyc_submissions where user_id = ${userId}) as kyc_submissions,
           (select count(*)::int from kyc_documents where user_id = ${userId}) as kyc_documents`;
  return row;
}

Deno.test("gdpr erasure: personal data gone everywhere, financial records kept, sessions ended", async (t) => {
  const testApp = await openTestApp();
  const { app, deps, close } = testApp;
  const { sql } = deps.db;
  try {
    const a = await richTrader(testApp, { trades: 50 });
    const b = await richTrader(testApp, { trades: 5 });
    // More traces of A: a second session from another address, an email change asked for (the new address
    // is in a token, the audit log and a mail), and a failed sign-in that typed A's address.
    const other = client(app);
    const second = await other.json("POST", "/api/auth/login", { email: a.email, password: a.password });
    assert.equal(second.status, 200);
    const newEmail = `new-${a.marker.toLowerCase()}@example.test`;
    const change = await client(app).json("PUT", "/api/users/profile", {
      email: newEmail,
      currentPassword: a.password,
    }, { bearer: a.accessToken });
    assert.equal(change.status, 200, await change.clone().text());
    const failed = await other.json("POST", "/api/auth/login", {
      email: a.email,
      password: "wrong-password-xx",
    });
    assert.equal(failed.status, 401);
    const [{ storage_key: storageKey }] = await sql<{ storage_key: string }[]>`
      select storage_key from kyc_documents where user_id = ${a.userId}`;
    // A submission waiting in the staff queue (the review itself is tested in kyc_test.ts).
    await sql`insert into kyc_submissions (user_id) values (${a.userId})`;
    const before = await ledger(sql, a.userId);
    const beforeB = await ledger(sql, b.userId);
    const secrets = [a.email, newEmail, a.firstName, a.lastName, a.ip, other.ip];
    for (const s of secrets) assert.ok((await rowsMentioning(sql, s)).length > 0, `${s} is stored before`);

    await t.step("refused without confirmation or with a wrong password: nothing changes", async () => {
      const post = (body: unknown) =>
        client(app).json("POST", "/api/users/erasure", body, { bearer: a.accessToken });
      const unconfirmed = await post({ password: a.password });
      assert.equal(unconfirmed.status, 422);
      assert.equal(unconfirmed.headers.get("content-type"), "application/json");
      assert.ok((await unconfirmed.json()).error.fields.confirm);
      const wrong = await post({ password: "not-the-password", confirm: true });
      assert.equal(wrong.status, 422);
      assert.equal((await wrong.json()).error.fields.password, "is not your current password");
      const [row] = await sql`select status, erased_at from users where id = ${a.userId}`;
      assert.deepEqual(row, { status: "active", erased_at: null });
    });

    await t.step("POST /api/users/erasure: 200, sessions ended, accounts closed", async () => {
      const res = await client(app).json("POST", "/api/users/erasure", {
        password: a.password,
        confirm: true,
      }, {
        bearer: a.accessToken,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.deepEqual(await res.json(), { erased: true, sessionsEnded: 2, accountsClosed: 0 });
    });

    await t.step("no row of any table holds the old email, new email, names or IP addresses", async () => {
      for (const s of secrets) assert.deepEqual(await rowsMentioning(sql, s), [], `${s} is gone`);
    });

    await t.step("the user row is anonymised, closed and marked erased", async () => {
      const [row] = await sql`
        select email, first_name, last_name, country, status, erased_at is not null as erased, password_hash
        from users where id = ${a.userId}`;
      assert.deepEqual({ ...row, password_hash: row.password_hash.startsWith("$argon2") }, {
        email: erasedEmail(a.userId),
        first_name: "",
        last_name: "",
        country: null,
        status: "closed",
        erased: true,
        password_hash: false,
      });
    });

    await t.step("financial records and their sums are kept; B is untouched", async () => {
      assert.deepEqual(await ledger(sql, a.userId), before);
      assert.deepEqual(await ledger(sql, b.userId), beforeB);
      assert.ok(await deps.store.get(storageKey), "the encrypted document waits for its retention period");
      const [kyc] = await sql`select status, reason from kyc_submissions where user_id = ${a.userId}`;
      assert.deepEqual(kyc, { status: "rejected", reason: "Withdrawn: the account was erased." });
      for (const s of [b.email, b.firstName, b.ip]) assert.ok((await rowsMentioning(sql, s)).length > 0);
    });

    await t.step("sessions are dead and sign-in is impossible", async () => {
      const profile = await client(app).json("GET", "/api/users/profile", undefined, {
        bearer: a.accessToken,
      });
      assert.equal(profile.status, 401);
      await profile.body?.cancel();
      const [{ live }] = await sql<{ live: number }[]>`
        select count(*)::int as live from auth_sessions where user_id = ${a.userId} and revoked_at is null`;
      assert.equal(live, 0);
      for (const email of [a.email, erasedEmail(a.userId)]) {
        const login = await client(app).json("POST", "/api/auth/login", { email, password: a.password });
        assert.equal(login.status, 401);
        await login.body?.cancel();
      }
      const refresh = await client(app).json("POST", "/api/auth/refresh", { refreshToken: a.refreshToken });
      assert.equal(refresh.status, 401);
      await refresh.body?.cancel();
    });

    await t.step("audited once, without personal data", async () => {
      const rows = await sql<
        { ip: string | null; user_agent: string | null; details: Record<string, unknown> }[]
      >`
        select ip, user_agent, details from audit_log where action = 'privacy.erased' and target_id = ${a.userId}`;
      assert.equal(rows.length, 1);
      assert.equal(rows[0].ip, null);
      assert.equal(rows[0].user_agent, null);
      assert.equal(rows[0].details.sessionsEnded, 2);
      assert.ok(!JSON.stringify(rows[0].details).includes("@"));
    });

    await t.step("a second erasure is idempotent", async () => {
      const snapshot = await sql`select * from users where id = ${a.userId}`;
      const auditCount = await sql`select count(*)::int as n from audit_log`;
      assert.deepEqual(await eraseUser(deps, a.userId), {
        erased: false,
        sessionsEnded: 0,
        accountsClosed: 0,
      });
      assert.deepEqual(await sql`select * from users where id = ${a.userId}`, snapshot);
      assert.deepEqual(await sql`select count(*)::int as n from audit_log`, auditCount);
      assert.deepEqual(await ledger(sql, a.userId), before);
    });

    await t.step("refused while a payout is under way (409 payout_open), and for staff", async () => {
      const c = await richTrader(testApp);
      await sql`
        insert into payouts (user_id, account_id, amount, currency, status)
        values (${c.userId}, ${c.accountId}, 50.00, 'USD', 'pending')`;
      const res = await client(app).json("POST", "/api/users/erasure", {
        password: c.password,
        confirm: true,
      }, {
        bearer: c.accessToken,
      });
      assert.equal(res.status, 409);
      assert.equal((await res.json()).error.code, "payout_open");
      // The page says so before the trader tries, and offers no erase form.
      const page = await client(app).request("/account/data", { headers: { cookie: cookieFor(c) } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /A payout of yours is still under way/);
      assert.doesNotMatch(html, /Erase my account/);
      const staff = await makeStaff(deps, "support");
      const asStaff = await client(app).json("POST", "/api/users/erasure", {
        password: staff.password,
        confirm: true,
      }, { bearer: staff.accessToken });
      assert.equal(asStaff.status, 409);
      assert.equal((await asStaff.json()).error.code, "staff_account");
      const [row] = await sql`select count(*)::int as n from users where id = any(${[
        c.userId,
        staff.userId,
      ]}::uuid[])
                              and erased_at is null`;
      assert.equal(row.n, 2);
    });

    await t.step(
      "page: unticked box is an inline 422; confirmed erasure signs out to /account/erased",
      async () => {
        const d = await signUp(app);
        const { accountId } = await openTestAccount(deps.db, d.userId);
        const c = client(app);
        const cookie = cookieFor(d);
        const post = (fields: Record<string, string>) =>
          c.request("/account/data", {
            method: "POST",
            headers: {
              cookie,
              "sec-fetch-site": "same-origin",
              "content-type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams(fields).toString(),
            redirect: "manual",
          });
        const before = await c.request("/account/data", { headers: { cookie } });
        assert.match(await before.text(), /1 of your accounts is still trading: erasure closes it/);
        const unticked = await post({ intent: "erase", password: d.password });
        assert.equal(unticked.status, 422);
        assert.equal(unticked.headers.get("content-type"), "text/html; charset=utf-8");
        assert.match(await unticked.text(), /Tick the box to confirm that erasure cannot be undone\./);
        const done = await post({ intent: "erase", password: d.password, confirm: "on" });
        assert.equal(done.status, 303);
        assert.equal(done.headers.get("location"), "/account/erased");
        const cleared = done.headers.getSetCookie();
        assert.ok(cleared.length >= 2 && cleared.every((v) => /Max-Age=0/i.test(v)), cleared.join("\n"));
        const landing = await c.request("/account/erased");
        assert.equal(landing.status, 200);
        assert.equal(landing.headers.get("content-type"), "text/html; charset=utf-8");
        assert.match(await landing.text(), /Your account has been erased/);
        const [row] = await sql`select email from users where id = ${d.userId}`;
        assert.equal(row.email, erasedEmail(d.userId));
        // The account that could still trade is closed, with a lifecycle change its watchers replay.
        const [account] = await sql`
        select a.status, c.kind from accounts a
        join account_changes c on c.account_id = a.id and c.state_version = a.state_version
        where a.id = ${accountId}`;
        assert.deepEqual(account, { status: "closed", kind: "lifecycle" });
      },
    );
  } finally {
    await close();
  }
});
