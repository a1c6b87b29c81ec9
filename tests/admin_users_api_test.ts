/**
 * The back office's user API: search (email and name, any case, substring), filters, the three orders with
 * keyset pages that stay stable while users sign up between them, who may read and who may act, and the
 * actions — suspension ends sessions, refresh tokens and open streams at once; role changes need a step-up
 * and never remove the last admin; reset links go out through the forgot-password mail. Every action audited.
 */
import assert from "node:assert/strict";
import type { Sql } from "../db/client.ts";
import { SseReader } from "../services/accounts/stream_testing.ts";
import { changeRole } from "../services/users/actions.ts";
import { loadSessionUser } from "../services/auth/sessions.ts";
import { totpCode } from "../services/auth/totp.ts";
import { openTestApp } from "./helpers/app.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { approveKyc } from "./helpers/payouts.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";

const JSON_TYPE = "application/json";

/** `n` users whose emails and last names carry `tag`, created a second apart (the newest is index 0). */
async function insertUsers(sql: Sql, tag: string, n: number, from = 0): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into users (email, password_hash, first_name, last_name, created_at)
    select ${tag} || '-' || lpad(i::text, 3, '0') || '@example.test', 'x', 'Ada' || i, ${tag} || 'son',
           now() - make_interval(secs => i)
    from generate_series(${from}::int, ${from + n - 1}::int) i
    order by i
    returning id`;
  return rows.map((r) => r.id);
}

type Page = { items: { id: string; email: string }[]; nextCursor: string | null };

Deno.test("admin users API: search, filters, orders and keyset paging", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const support = await makeStaff(deps, "support");
    const get = async (query: string): Promise<Page> => {
      const res = await c.json("GET", `/api/admin/users?${query}`, undefined, {
        bearer: support.accessToken,
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
      return await res.json();
    };
    const tag = `zq${crypto.randomUUID().slice(0, 8)}`;
    const ids = await insertUsers(deps.db.sql, tag, 30);

    await t.step(
      "search: any case, any part of the email or the name; short terms match the email's start",
      async () => {
        assert.deepEqual((await get(`q=${tag}&limit=200`)).items.map((u) => u.id), ids);
        assert.equal((await get(`q=${tag.toUpperCase()}&limit=200`)).items.length, 30);
        assert.equal((await get(`q=${tag}-007@&limit=200`)).items[0].id, ids[7]);
        const byName = await get(`q=ada2%20${tag}&limit=200`); // "Ada2 <tag>son": first and last name
        assert.deepEqual(byName.items.map((u) => u.id), [ids[2]]);
        assert.deepEqual((await get(`q=${tag}_007&limit=200`)).items, [], "_ is a character, not a wildcard");
        const short = await get(`q=${tag.slice(0, 2)}&limit=200`);
        assert.ok(ids.every((id) => short.items.some((u) => u.id === id)));
        assert.deepEqual((await get(`q=nobody-${tag}`)).items, []);
      },
    );

    await t.step("filters: role, status, KYC, funded", async () => {
      await deps.db.sql`update users set role = 'support' where id = ${ids[1]}`;
      await deps.db.sql`update users set status = 'suspended' where id = any(${[ids[2], ids[3]]}::uuid[])`;
      await approveKyc(deps, ids[4]);
      await deps.db.sql`insert into kyc_submissions (user_id) values (${ids[5]})`;
      await openTestAccount(deps.db, ids[6], { stage: "funded" });
      const only = async (query: string) => (await get(`q=${tag}&limit=200&${query}`)).items.map((u) => u.id);
      assert.deepEqual(await only("role=support"), [ids[1]]);
      assert.deepEqual(await only("status=suspended"), [ids[2], ids[3]]);
      assert.deepEqual(await only("kyc=approved"), [ids[4]]);
      assert.deepEqual(await only("kyc=submitted"), [ids[5]]);
      assert.equal((await only("kyc=none")).length, 28);
      assert.deepEqual(await only("funded=yes"), [ids[6]]);
      assert.equal((await only("funded=no")).length, 29);
      const [six] = (await get(`q=${tag}-006`)).items as unknown as {
        hasFunded: boolean;
        accounts: number;
      }[];
      assert.equal(six.hasFunded, true);
      assert.equal(six.accounts, 1);
    });

    await t.step("keyset pages: users added between pages never shift or repeat a row", async () => {
      for (const sort of ["created", "email", "name"]) {
        const seen: string[] = [];
        let page = await get(`q=${tag}&sort=${sort}&limit=7`);
        let round = 0;
        while (true) {
          seen.push(...page.items.map((u) => u.id));
          if (!page.nextCursor) break;
          // Newer users (first in "created" order) and users sorting anywhere by email and name.
          await insertUsers(deps.db.sql, `${tag}${sort}${round++}`.slice(0, 30), 2, 100);
          page = await get(`q=${tag}&sort=${sort}&limit=7&cursor=${page.nextCursor}`);
        }
        assert.equal(new Set(seen).size, seen.length, `${sort}: a row repeated`);
        assert.ok(ids.every((id) => seen.includes(id)), `${sort}: a row was skipped`);
      }
      const byEmail = (await get(`q=${tag}-&sort=email&limit=200`)).items.map((u) => u.email);
      assert.deepEqual(byEmail, byEmail.toSorted());
    });

    await t.step(
      "bad input: a foreign cursor is 400, an unknown filter value 422, both as JSON errors",
      async () => {
        const bad = await c.json("GET", "/api/admin/users?cursor=bm9wZQ", undefined, {
          bearer: support.accessToken,
        });
        await expectError(bad, 400, "bad_request");
        const forged = btoa(JSON.stringify(["not a time", "x"]));
        const cast = await c.json("GET", `/api/admin/users?cursor=${forged}`, undefined, {
          bearer: support.accessToken,
        });
        await expectError(cast, 400, "bad_request");
        const role = await c.json("GET", "/api/admin/users?role=owner", undefined, {
          bearer: support.accessToken,
        });
        await expectError(role, 422, "unprocessable");
      },
    );
  } finally {
    await close();
  }
});

Deno.test("admin users API: who may read and act; suspension ends sessions, tokens and streams", async (t) => {
  const { app, deps, close, inbox } = await openTestApp();
  const c = client(app);
  try {
    const [admin, support, risk] = [
      await makeStaff(deps, "admin"),
      await makeStaff(deps, "support"),
      await makeStaff(deps, "risk"),
    ];
    const trader = await signUp(app, { firstName: "Grace", lastName: "Hopper" });
    const status = (bearer: string | undefined, body: unknown, id = trader.userId) =>
      c.json("PUT", `/api/admin/users/${id}/status`, body, { bearer });
    const suspend = { status: "suspended", reason: "Chargeback under investigation." };

    await t.step("anonymous and traders are refused; support and risk read but do not act", async () => {
      await expectError(await c.json("GET", "/api/admin/users"), 401, "unauthorized");
      const asTrader = await c.json("GET", "/api/admin/users", undefined, { bearer: trader.accessToken });
      assert.ok([403, 404].includes(asTrader.status));
      assert.equal(asTrader.headers.get("content-type"), JSON_TYPE);
      await asTrader.body?.cancel();
      for (const staff of [support, risk]) {
        const detail = await c.json("GET", `/api/admin/users/${trader.userId}`, undefined, {
          bearer: staff.accessToken,
        });
        assert.equal(detail.status, 200);
        const body = await detail.json();
        assert.equal(body.profile.email, trader.email);
        assert.equal(body.sessions.length, 1);
        assert.ok(body.audit.items.some((a: { action: string }) => a.action === "auth.register"));
        await expectError(await status(staff.accessToken, suspend), 403, "forbidden");
      }
      const unknown = await c.json("GET", `/api/admin/users/${crypto.randomUUID()}`, undefined, {
        bearer: admin.accessToken,
      });
      await expectError(unknown, 404, "not_found");
    });

    await t.step(
      "admin suspends: the open stream gets 'ended' at once, tokens and sign-in are refused",
      async () => {
        const streamRes = await c.request("/api/users/stream", { headers: trader.auth });
        assert.equal(streamRes.status, 200);
        const sse = new SseReader(streamRes.body!);
        assert.equal((await sse.nextEvent()).event, "snapshot");
        await expectError(
          await status(admin.accessToken, { status: "suspended", reason: "" }),
          422,
          "unprocessable",
        );
        const started = Date.now();
        const res = await status(admin.accessToken, suspend);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: "suspended", sessionsEnded: 1 });
        let ended = false;
        try {
          while (!ended) ended = (await sse.next(1000)).event === "ended";
        } finally {
          await sse.cancel();
        }
        assert.ok(Date.now() - started < 1000, "the stream ended within a second");
        await expectError(
          await c.json("GET", "/api/users/profile", undefined, { headers: trader.auth }),
          401,
          "unauthorized",
        );
        const refresh = await c.json("POST", "/api/auth/refresh", { refreshToken: trader.refreshToken });
        assert.equal(refresh.status, 401);
        await refresh.body?.cancel();
        const login = await c.json("POST", "/api/auth/login", {
          email: trader.email,
          password: trader.password,
        });
        const refused = await expectError(login, 403, "forbidden");
        assert.match(refused.error.message, /suspended/);
        const [entry] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.user_suspended' and target_id = ${trader.userId}`;
        assert.equal(entry.actor_id, admin.userId);
        assert.equal(entry.details.reason, suspend.reason);
        await expectError(await status(admin.accessToken, suspend), 409, "conflict");
      },
    );

    await t.step("unsuspend: the trader signs in again; nobody suspends themselves", async () => {
      const res = await status(admin.accessToken, { status: "active", reason: "Chargeback withdrawn." });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const login = await c.json("POST", "/api/auth/login", {
        email: trader.email,
        password: trader.password,
      });
      assert.equal(login.status, 200);
      await login.body?.cancel();
      await expectError(await status(admin.accessToken, suspend, admin.userId), 403, "forbidden");
    });

    await t.step("password reset: the forgot-password mail, audited; support may not send it", async () => {
      const path = `/api/admin/users/${trader.userId}/password-reset`;
      await expectError(
        await c.json("POST", path, undefined, { bearer: support.accessToken }),
        403,
        "forbidden",
      );
      const res = await c.json("POST", path, undefined, { bearer: admin.accessToken });
      assert.equal(res.status, 202);
      assert.deepEqual(await res.json(), { sent: true });
      assert.ok(inbox.linkIn(trader.email, "/reset-password").includes("token="));
      const [n] = await deps.db.sql`
        select count(*)::int as n from audit_log where action = 'admin.password_reset_sent' and target_id = ${trader.userId}`;
      assert.equal(n.n, 1);
    });

    await t.step("role change: step-up first, never your own, never the last admin", async () => {
      const role = (bearer: string, body: unknown, id = trader.userId) =>
        c.json("PUT", `/api/admin/users/${id}/role`, body, { bearer });
      await expectError(await role(support.accessToken, { role: "support" }), 403, "forbidden");
      await deps.db.sql`update auth_sessions set reauthenticated_at = now() - interval '10 minutes'
                        where id = ${admin.sessionId}`;
      await expectError(await role(admin.accessToken, { role: "support" }), 403, "step_up_required");
      const reauth = await c.json("POST", "/api/auth/reauth", {
        code: totpCode(admin.totpSecret, new Date(Date.now() + 30_000)),
      }, {
        bearer: admin.accessToken,
      });
      assert.equal(reauth.status, 204, await reauth.clone().text());
      const res = await role(admin.accessToken, { role: "support" });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { role: "support" });
      const [entry] = await deps.db.sql`
        select details from audit_log where action = 'admin.role_changed' and target_id = ${trader.userId}`;
      assert.deepEqual(entry.details, { from: "trader", to: "support" });
      await expectError(await role(admin.accessToken, { role: "trader" }, admin.userId), 403, "forbidden");

      // The last active admin: every other admin of this database is suspended for the check.
      const others = await deps.db.sql<{ id: string }[]>`
        update users set status = 'suspended' where role = 'admin' and status = 'active' and id <> ${admin.userId}
        returning id`;
      try {
        const acting = {
          ...(await loadSessionUser(deps.db.sql, support.sessionId))!,
          id: crypto.randomUUID(),
        };
        const actor = { userId: null, ip: null, userAgent: null };
        await deps.db.sql`update auth_sessions set reauthenticated_at = now(), reauth_second_factor = true
                          where id = ${support.sessionId}`;
        await assert.rejects(
          changeRole(deps, acting, admin.userId, { role: "trader" }, actor),
          /last active admin/,
        );
      } finally {
        await deps.db.sql`update users set status = 'active' where id = any(${
          others.map((o) => o.id)
        }::uuid[])`;
      }
    });
  } finally {
    await close();
  }
});
