import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { openTestApp } from "./helpers/app.ts";
import { client } from "./helpers/client.ts";

Deno.test("auth API: register → verify → login → profile → reset → 2FA → step-up", async (t) => {
  const { app, deps, inbox, close } = await openTestApp();
  const c = client(app);
  const call = (method: string, path: string, body?: unknown, bearer?: string) =>
    c.json(method, path, body, { bearer });
  const email = `flow-${crypto.randomUUID()}@example.test`;
  const password = `Sturdy-harbour-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await t.step("register: 202, email normalized, verification mail sent", async () => {
      const res = await call("POST", "/api/auth/register", { email: `  ${email.toUpperCase()} `, password });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.match((await res.json()).message, /Check your inbox/);
      assert.equal(inbox.latestTo(email).to, email);
      assert.match(inbox.latestTo(email).text, /verify-email\?token=/);
    });

    await t.step("register again: 202 as for a new one; weak or common password: 422", async () => {
      const dup = await call("POST", "/api/auth/register", { email, password });
      assert.equal(dup.status, 202);
      await dup.body?.cancel();
      assert.match(inbox.latestTo(email).subject, /Someone tried to create an account/);
      for (const weak of ["short", "password1234", "aaaaaaaaaaaaaaaa"]) {
        const res = await call("POST", "/api/auth/register", {
          email: `w-${crypto.randomUUID()}@example.test`,
          password: weak,
        });
        assert.equal(res.status, 422, weak);
        assert.ok((await res.json()).error.fields.password, weak);
      }
    });

    let access = "";
    await t.step("login: token pair; the profile shows an unverified email", async () => {
      const res = await call("POST", "/api/auth/login", { email, password });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.expiresIn, 900);
      assert.ok(body.accessToken && body.refreshToken);
      access = body.accessToken;
      const profile = await (await call("GET", "/api/users/profile", undefined, access)).json();
      assert.equal(profile.email, email);
      assert.equal(profile.emailVerified, false);
    });

    await t.step("verify email with the mailed token (once)", async () => {
      const token = inbox.tokenIn(email, "/verify-email");
      assert.equal((await call("POST", "/api/auth/verify-email", { token })).status, 204);
      const again = await call("POST", "/api/auth/verify-email", { token });
      assert.equal(again.status, 422);
      assert.equal((await again.json()).error.fields.token, "this link is invalid, expired or already used");
      const profile = await (await call("GET", "/api/users/profile", undefined, access)).json();
      assert.equal(profile.emailVerified, true);
    });

    await t.step("profile update: names and time zone; bad time zone is 422", async () => {
      const res = await call(
        "PUT",
        "/api/users/profile",
        { firstName: "Ada", timeZone: "Europe/Prague" },
        access,
      );
      assert.equal(res.status, 200);
      assert.equal((await res.json()).timeZone, "Europe/Prague");
      const bad = await call("PUT", "/api/users/profile", { timeZone: "Mars/Olympus" }, access);
      assert.equal(bad.status, 422);
    });

    await t.step(
      "email change: needs the password; applied only through the link to the new address",
      async () => {
        const newEmail = `moved-${crypto.randomUUID()}@example.test`;
        const noPassword = await call("PUT", "/api/users/profile", { email: newEmail }, access);
        assert.equal(noPassword.status, 422);
        assert.ok((await noPassword.json()).error.fields.currentPassword);
        const res = await call(
          "PUT",
          "/api/users/profile",
          { email: newEmail, currentPassword: password },
          access,
        );
        assert.equal(res.status, 200);
        const pending = await res.json();
        assert.equal(pending.email, email);
        assert.equal(pending.pendingEmail, newEmail);
        const link = inbox.linkIn(newEmail, "/confirm-email");
        const shown = await c.request(link);
        assert.equal(shown.status, 200);
        assert.match(await shown.text(), /Confirm the new address/);
        const confirmed = await c.request("/confirm-email", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ token: inbox.tokenIn(newEmail, "/confirm-email") }),
        });
        assert.equal(confirmed.status, 303);
        assert.equal(
          (await (await call("GET", "/api/users/profile", undefined, access)).json()).email,
          newEmail,
        );
        // Back to the original address so the rest of the scenario reads naturally.
        await call("PUT", "/api/users/profile", { email, currentPassword: password }, access);
        await call("POST", "/api/auth/confirm-email", { token: inbox.tokenIn(email, "/confirm-email") });
        assert.equal(
          (await (await call("GET", "/api/users/profile", undefined, access)).json()).email,
          email,
        );
      },
    );

    const newPassword = `${password}-renewed`;
    await t.step("forgot password: 202 for anyone; reset signs out every session", async () => {
      assert.equal(
        (await call("POST", "/api/auth/forgot-password", {
          email: `nobody-${crypto.randomUUID()}@example.test`,
        })).status,
        202,
      );
      assert.equal((await call("POST", "/api/auth/forgot-password", { email })).status, 202);
      // The reset mail goes out after the answer (so its timing does not tell who has an account).
      await deps.background.settled();
      const token = inbox.tokenIn(email, "/reset-password");
      assert.equal(
        (await call("POST", "/api/auth/reset-password", { token, password: newPassword })).status,
        204,
      );
      assert.equal((await call("GET", "/api/users/profile", undefined, access)).status, 401);
      assert.equal((await call("POST", "/api/auth/login", { email, password })).status, 401);
      const res = await call("POST", "/api/auth/login", { email, password: newPassword });
      assert.equal(res.status, 200);
      access = (await res.json()).accessToken;
    });

    let totp: OTPAuth.TOTP;
    let recovery: string[] = [];
    await t.step("2FA: enrol, confirm with a code, recovery codes once", async () => {
      const enrol = await call("POST", "/api/auth/2fa/enroll", undefined, access);
      assert.equal(enrol.status, 200);
      const { secret, qrCode, otpauthUri } = await enrol.json();
      assert.match(qrCode, /^data:image\/svg\+xml;base64,/);
      assert.match(otpauthUri, /^otpauth:\/\/totp\//);
      totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
      const wrong = await call("POST", "/api/auth/2fa/confirm", { code: "000000" }, access);
      assert.equal(wrong.status, 422);
      const ok = await call("POST", "/api/auth/2fa/confirm", { code: totp.generate() }, access);
      assert.equal(ok.status, 200);
      recovery = (await ok.json()).recoveryCodes;
      assert.equal(recovery.length, 10);
    });

    await t.step("login now asks for the code; a recovery code works once", async () => {
      const noCode = await call("POST", "/api/auth/login", { email, password: newPassword });
      assert.equal(noCode.status, 401);
      assert.equal((await noCode.json()).error.code, "two_factor_required");
      const withRecovery = await call("POST", "/api/auth/login", {
        email,
        password: newPassword,
        code: recovery[0],
      });
      assert.equal(withRecovery.status, 200);
      const reused = await call("POST", "/api/auth/login", {
        email,
        password: newPassword,
        code: recovery[0],
      });
      assert.equal(reused.status, 401);
      assert.equal((await reused.json()).error.code, "invalid_two_factor_code");
    });

    await t.step("step-up: reauth with the password; sessions list marks the current one", async () => {
      assert.equal(
        (await call("POST", "/api/auth/reauth", { password: "wrong-password-1" }, access)).status,
        422,
      );
      assert.equal((await call("POST", "/api/auth/reauth", { password: newPassword }, access)).status, 204);
      const { sessions } = await (await call("GET", "/api/users/sessions", undefined, access)).json();
      assert.ok(sessions.length >= 2);
      assert.equal(sessions.filter((s: { current: boolean }) => s.current).length, 1);
    });

    await t.step("audit log has the story", async () => {
      const [{ id }] = await deps.db.sql`select id from users where email = ${email}`;
      const rows = await deps.db.sql<
        { action: string }[]
      >`select action from audit_log where actor_id = ${id}`;
      const actions = new Set(rows.map((r) => r.action));
      for (
        const a of [
          "auth.register",
          "auth.login",
          "auth.email_verified",
          "auth.password_reset",
          "auth.2fa_enabled",
          "auth.recovery_code_used",
          "auth.reauthenticated",
        ]
      ) {
        assert.ok(actions.has(a), `audit has ${a}`);
      }
    });
  } finally {
    await close();
  }
});

Deno.test("API docs: OpenAPI 3.1 document lists every API operation; /api/docs renders without scripts", async () => {
  const { app, close } = await openTestApp();
  try {
    const res = await app.request("/api/openapi.json");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    for (const route of app.fileRoutes.filter((r) => r.pattern.startsWith("/api/"))) {
      const path = route.pattern.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
      assert.ok(doc.paths[path], `${path} is described`);
    }
    assert.ok(doc.paths["/api/auth/register"].post.requestBody);
    const docs = await app.request("/api/docs");
    assert.equal(docs.status, 200);
    assert.equal(docs.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await docs.text();
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /\/api\/auth\/login/);
  } finally {
    await close();
  }
});
