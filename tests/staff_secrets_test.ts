/**
 * Issue #9, item 1: support could take over the admin by reading the admin's password-reset link in the back
 * office's mail outbox. Secrets in mail go to the recipient only; the outbox keeps a redacted copy.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import {
  client,
  enrolTotp,
  expectError,
  makeStaff,
  randomIp,
  strongPassword,
  uniqueEmail,
} from "./helpers/client.ts";
import type { Deps } from "../services/deps.ts";
import type { Role } from "../services/auth/roles.ts";
import { createOrPromoteStaff } from "../services/auth/staff.ts";
import { login } from "../services/auth/accounts.ts";
import { isTotpEnabled } from "../services/auth/two_factor.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

Deno.test("support cannot read the admin's password-reset link in the outbox", async (t) => {
  const { app, deps, inbox, close } = await openTestApp();
  const anonymous = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const support = await makeStaff(deps, "support");
    const forgot = await anonymous.json("POST", "/api/auth/forgot-password", { email: admin.email });
    assert.equal(forgot.status, 202);
    await deps.background.settled(); // the mail goes out after the answer
    const token = inbox.tokenIn(admin.email, "/reset-password");

    await t.step("the recipient's own mail carries the working link", () => {
      assert.ok(token.length >= 20, token);
    });

    await t.step("the outbox page shows the mail with its link removed", async () => {
      for (const path of ["/admin/outbox", `/admin/outbox?to=${encodeURIComponent(admin.email)}`]) {
        const res = await anonymous.request(path, { headers: { cookie: cookieFor(support) } });
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
        const html = await res.text();
        assert.match(html, /Reset your PropTrade Pro password/);
        assert.match(html, /link removed — sent only to the recipient/);
        assert.ok(!html.includes(token), `${path} shows the reset token`);
        assert.ok(!html.includes(encodeURIComponent(token)), `${path} shows the encoded reset token`);
        assert.doesNotMatch(html, /reset-password\?token=/);
      }
    });

    await t.step("no outbox row stores the link (text or HTML)", async () => {
      const rows = await deps.db.sql<{ text_body: string; html_body: string | null }[]>`
        select text_body, html_body from mail_outbox where lower(to_address) = ${admin.email}`;
      assert.ok(rows.length >= 1);
      for (const row of rows) {
        const stored = `${row.text_body}\n${row.html_body ?? ""}`;
        assert.ok(!stored.includes(encodeURIComponent(token)), "the token is stored");
        assert.doesNotMatch(stored, /token=/);
      }
    });

    await t.step("the link still resets the password for its recipient", async () => {
      const res = await anonymous.json("POST", "/api/auth/reset-password", {
        token,
        password: `${admin.password}-new`,
      });
      assert.equal(res.status, 204);
    });
  } finally {
    await close();
  }
});

Deno.test("verification and email-change links are not stored in the outbox either", async () => {
  const { app, deps, inbox, close } = await openTestApp();
  const c = client(app);
  try {
    const email = `v-${crypto.randomUUID()}@example.test`;
    const password = `Sturdy-harbour-${crypto.randomUUID().slice(0, 8)}`;
    const reg = await c.json("POST", "/api/auth/register", { email, password });
    await reg.body?.cancel();
    const verify = inbox.tokenIn(email, "/verify-email");
    const login = await (await c.json("POST", "/api/auth/login", { email, password })).json();
    const moved = `m-${crypto.randomUUID()}@example.test`;
    const change = await c.json("PUT", "/api/users/profile", { email: moved, currentPassword: password }, {
      bearer: login.accessToken,
    });
    assert.equal(change.status, 200);
    await change.body?.cancel();
    const confirm = inbox.tokenIn(moved, "/confirm-email");
    const rows = await deps.db.sql<{ text_body: string; html_body: string | null }[]>`
      select text_body, html_body from mail_outbox where lower(to_address) in (${email}, ${moved})`;
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const stored = `${row.text_body}\n${row.html_body ?? ""}`;
      assert.match(row.text_body, /\[link removed — sent only to the recipient\]/);
      for (const secret of [verify, confirm]) assert.ok(!stored.includes(encodeURIComponent(secret)));
      assert.doesNotMatch(stored, /token=/);
    }
  } finally {
    await close();
  }
});

/** A staff member as `deno task admin:create` leaves them: password only, no second factor yet. */
async function staffWithout2fa(deps: Deps, role: Role) {
  const email = uniqueEmail(role);
  const password = strongPassword();
  const actor = { userId: null, ip: randomIp(), userAgent: "proptrade-tests" };
  const { id } = await createOrPromoteStaff(deps.db, { email, role, password }, actor);
  const tokens = await login(deps, { email, password }, actor);
  return { id, email, password, ...tokens };
}

Deno.test("staff without 2FA get neither the back office nor a staff API until they enrol", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await staffWithout2fa(deps, "admin");
    const cookie = cookieFor(admin);

    await t.step("every back-office page answers 403 with the way to enrol, not its content", async () => {
      for (const path of ["/admin", "/admin/outbox", "/admin/testimonials"]) {
        const res = await c.request(path, { headers: { cookie } });
        assert.equal(res.status, 403, path);
        assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
        const html = await res.text();
        assert.match(html, /Turn on two-factor authentication first/);
        assert.match(html, /href="\/account\/security"/);
        assert.doesNotMatch(html, /Latest audit entries|Mail outbox|Users by role/, path);
      }
    });

    await t.step("a staff API answers 403 two_factor_enrollment_required", async () => {
      const res = await c.json("GET", "/api/admin/plans", undefined, { bearer: admin.accessToken });
      const body = await expectError(res, 403, "two_factor_enrollment_required");
      assert.match(body.error.message, /\/account\/security/);
      const [row] = await deps.db.sql`
        select details from audit_log where actor_id = ${admin.id} and action = 'authz.denied'
        order by at desc limit 1`;
      assert.equal(row.details.reason, "two_factor_not_enrolled");
    });

    await t.step("the security page stays reachable, so the new admin can enrol", async () => {
      const res = await c.request("/account/security", { headers: { cookie } });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });

    await t.step("once enrolled, the same session gets in", async () => {
      await enrolTotp(deps, admin.id, admin.email);
      const page = await c.request("/admin", { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Users by role/);
      const api = await c.json("GET", "/api/admin/plans", undefined, { bearer: admin.accessToken });
      assert.equal(api.status, 200);
      await api.body?.cancel();
    });
  } finally {
    await close();
  }
});

Deno.test("a password reset never removes 2FA: sign-in still asks for the code", async () => {
  const { app, deps, inbox, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    await (await c.json("POST", "/api/auth/forgot-password", { email: admin.email })).body?.cancel();
    await deps.background.settled(); // the mail goes out after the answer
    const password = `${admin.password}-reset`;
    const reset = await c.json("POST", "/api/auth/reset-password", {
      token: inbox.tokenIn(admin.email, "/reset-password"),
      password,
    });
    assert.equal(reset.status, 204);
    assert.equal(await isTotpEnabled(deps.db.sql, admin.userId), true);
    await expectError(
      await c.json("POST", "/api/auth/login", { email: admin.email, password }),
      401,
      "two_factor_required",
    );
    const withCode = await c.json("POST", "/api/auth/login", {
      email: admin.email,
      password,
      code: admin.recoveryCodes[0],
    });
    assert.equal(withCode.status, 200);
    await withCode.body?.cancel();
  } finally {
    await close();
  }
});

Deno.test("registering a taken email answers exactly like a new one, and tells the owner", async () => {
  const { app, inbox, close } = await openTestApp();
  try {
    const register = async (email: string) => {
      const res = await client(app).json("POST", "/api/auth/register", {
        email,
        password: strongPassword(),
        firstName: "Eve",
      });
      return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
    };
    const owner = `owner-${crypto.randomUUID()}@example.test`;
    const first = await register(owner);
    const fresh = await register(`fresh-${crypto.randomUUID()}@example.test`);
    const taken = await register(owner.toUpperCase());
    assert.equal(fresh.status, 202);
    assert.equal(fresh.type, "application/json");
    assert.deepEqual(taken, fresh, "a taken address is answered like a new one");
    assert.deepEqual(first, fresh);
    const notice = inbox.latestTo(owner);
    assert.match(notice.subject, /Someone tried to create an account with your address/);
    assert.match(notice.text, /forgot-password/);
  } finally {
    await close();
  }
});

Deno.test("simultaneous sign-ups with one new address: one account, every answer the same 202, no 500", async () => {
  // The taken-address check and the insert are two statements: a sign-up racing another for the same new
  // address used to lose on the unique index with a 500 (which also told it the address was taken).
  const { app, deps, close } = await openTestApp();
  try {
    const email = `race-${crypto.randomUUID()}@example.test`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await client(app).json("POST", "/api/auth/register", {
          email,
          password: strongPassword(),
          firstName: "Eve",
        });
        return { status: res.status, body: await res.json() };
      }),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(20).fill(202),
      JSON.stringify(answers.find((a) => a.status !== 202)),
    );
    assert.equal(new Set(answers.map((a) => JSON.stringify(a.body))).size, 1);
    const [{ count }] = await deps.db.sql<{ count: number }[]>`
      select count(*)::int as count from users where lower(email) = ${email}`;
    assert.equal(count, 1);
  } finally {
    await close();
  }
});
