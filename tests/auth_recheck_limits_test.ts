/**
 * Every password or second-factor check of a signed-in user is limited, in one place, whichever route or page
 * form asks (issue #9, item 6); turning 2FA on needs a recent step-up (item 8).
 */
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { openTestApp, type TestApp } from "./helpers/app.ts";
import { client, expectError, type SignedIn, signUp, type TestClient } from "./helpers/client.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";
import { RATE_RULES } from "../services/rate_limit/rules.ts";

const HTML = "text/html; charset=utf-8";
const WRONG = "not-the-Password-123";
const recheck = RATE_RULES.recheck_account;
const codes = RATE_RULES.totp_account;

/** The 2FA set-up's password field (the password section's is `currentPassword`). */
const PASSWORD_INPUT = /<input[^>]*\bname="password"[^>]*>/;

type User = SignedIn & { client: TestClient };

function cookieOf(user: User): string {
  return sessionCookies(false, user).map((c) => c.split(";")[0]).join("; ");
}

/** A form POST to the security page, as the browser sends it from the page. */
function postForm(user: User, fields: Record<string, string>) {
  return user.client.request("/account/security", {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { cookie: cookieOf(user), "sec-fetch-site": "same-origin" },
    redirect: "manual",
  });
}

const api = (user: User, method: string, path: string, body?: unknown) =>
  user.client.json(method, path, body, { bearer: user.accessToken });

/** Turns 2FA on through the API (the fresh sign-in counts as the step-up); returns the app's generator. */
async function enableTwoFactor(user: User): Promise<OTPAuth.TOTP> {
  const enrol = await api(user, "POST", "/api/auth/2fa/enroll");
  assert.equal(enrol.status, 200, await enrol.clone().text());
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32((await enrol.json()).secret) });
  const ok = await api(user, "POST", "/api/auth/2fa/confirm", { code: totp.generate() });
  assert.equal(ok.status, 200, await ok.clone().text());
  return totp;
}

/** A 6-digit code that is not the current one (nor a neighbour the server would accept). */
function wrongCode(totp: OTPAuth.TOTP): string {
  const now = Date.now();
  const near = [-1, 0, 1].map((s) => totp.generate({ timestamp: now + s * 30_000 }));
  for (let n = 0;; n++) {
    const code = String(n).padStart(6, "0");
    if (!near.includes(code)) return code;
  }
}

/** `attempts` tries of a wrong secret: the first `limit` answer `status`, every later one 429. */
async function expectLimited(
  limit: number,
  attempts: number,
  status: number,
  attempt: (i: number) => Promise<Response>,
  what: string,
) {
  const seen: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const res = await attempt(i);
    seen.push(res.status);
    if (res.status === 429) assert.ok(res.headers.get("retry-after"), `${what}: 429 without retry-after`);
    await res.body?.cancel();
  }
  const expected = Array.from({ length: attempts }, (_, i) => (i < limit ? status : 429));
  assert.deepEqual(seen, expected, what);
}

/** Moves the session's last proof of presence back past both step-up windows (5 and 15 minutes). */
async function staleStepUp(app: TestApp, user: User) {
  await app.deps.db.sql`
    update auth_sessions set reauthenticated_at = now() - interval '20 minutes' where id = ${user.sessionId}`;
}

Deno.test("re-checks: a stolen session cannot guess the password through any form or route", async (t) => {
  const test = await openTestApp();
  const { app } = test;
  try {
    await t.step("email change: 25 wrong passwords → 429 after the limit", async () => {
      const user = await signUp(app);
      await expectLimited(recheck.limit, 25, 422, () =>
        api(user, "PUT", "/api/users/profile", {
          email: `moved-${crypto.randomUUID()}@example.test`,
          currentPassword: WRONG,
        }), "email change");
      // Spent, the right password waits too: the limit is checked before the password.
      const res = await api(user, "PUT", "/api/users/profile", {
        email: `moved-${crypto.randomUUID()}@example.test`,
        currentPassword: user.password,
      });
      await expectError(res, 429, "rate_limited", "right password over the limit");
    });

    await t.step("password change (API): 25 wrong passwords → 429 after the limit", async () => {
      const user = await signUp(app);
      await expectLimited(recheck.limit, 25, 422, () =>
        api(user, "PUT", "/api/users/password", {
          currentPassword: WRONG,
          newPassword: "a-Brand-new-password-77",
        }), "password change");
    });

    await t.step("step-up (reauth): 25 wrong passwords → 429 after the limit", async () => {
      const user = await signUp(app);
      await expectLimited(
        recheck.limit,
        25,
        422,
        () => api(user, "POST", "/api/auth/reauth", { password: WRONG }),
        "reauth",
      );
    });

    await t.step("the page and the API share one budget (they cannot drift apart)", async () => {
      const user = await signUp(app);
      const half = Math.ceil(recheck.limit / 2);
      await expectLimited(
        half,
        half,
        422,
        () => api(user, "POST", "/api/auth/reauth", { password: WRONG }),
        "reauth part",
      );
      await expectLimited(recheck.limit - half, 3, 422, () =>
        postForm(user, {
          intent: "password",
          currentPassword: WRONG,
          newPassword: "a-Brand-new-password-77",
        }), "page password form, rest of the budget");
      await expectLimited(0, 2, 422, () =>
        api(user, "PUT", "/api/users/profile", {
          email: `moved-${crypto.randomUUID()}@example.test`,
          currentPassword: WRONG,
        }), "email change after the others");
    });

    await t.step("a spent re-check budget does not stop the owner signing in", async () => {
      const user = await signUp(app);
      await expectLimited(
        recheck.limit,
        recheck.limit + 1,
        422,
        () => api(user, "POST", "/api/auth/reauth", { password: WRONG }),
        "reauth",
      );
      const res = await client(app).json("POST", "/api/auth/login", {
        email: user.email,
        password: user.password,
      });
      assert.equal(res.status, 200, await res.text());
    });

    await t.step("the right password resets the budget: only failures add up", async () => {
      const user = await signUp(app);
      for (let round = 0; round < 3; round++) {
        await expectLimited(
          recheck.limit - 1,
          recheck.limit - 1,
          422,
          () => api(user, "POST", "/api/auth/reauth", { password: WRONG }),
          `round ${round}`,
        );
        const ok = await api(user, "POST", "/api/auth/reauth", { password: user.password });
        assert.equal(ok.status, 204, await ok.text());
      }
    });
  } finally {
    await test.close();
  }
});

Deno.test("re-checks: second-factor codes are limited on the API and the page alike", async (t) => {
  const test = await openTestApp();
  const { app } = test;
  try {
    await t.step("2FA disable via the API: wrong codes → 429 after the limit", async () => {
      const user = await signUp(app);
      const totp = await enableTwoFactor(user);
      await expectLimited(
        codes.limit,
        12,
        422,
        () => api(user, "POST", "/api/auth/2fa/disable", { code: wrongCode(totp) }),
        "API disable",
      );
    });

    await t.step("2FA disable via the page form: wrong codes → 429 after the limit, inline", async () => {
      const user = await signUp(app);
      const totp = await enableTwoFactor(user);
      await expectLimited(
        codes.limit,
        8,
        422,
        () => postForm(user, { intent: "2fa-disable", code: wrongCode(totp) }),
        "page disable",
      );
      const res = await postForm(user, { intent: "2fa-disable", code: wrongCode(totp) });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("content-type"), HTML);
      assert.match(await res.text(), /Too many attempts/);
    });

    await t.step("page and API share the code budget; step-up codes count too", async () => {
      const user = await signUp(app);
      const totp = await enableTwoFactor(user);
      await expectLimited(
        2,
        2,
        422,
        () => api(user, "POST", "/api/auth/2fa/recovery-codes", { code: wrongCode(totp) }),
        "regenerate",
      );
      await expectLimited(
        2,
        2,
        422,
        () => api(user, "POST", "/api/auth/reauth", { code: wrongCode(totp) }),
        "reauth",
      );
      await expectLimited(
        codes.limit - 4,
        3,
        422,
        () => postForm(user, { intent: "2fa-disable", code: wrongCode(totp) }),
        "page disable, rest of the budget",
      );
    });

    await t.step("page 2FA confirm: a 7-digit code is an inline error, not a try", async () => {
      const user = await signUp(app);
      const begin = await postForm(user, { intent: "2fa-begin" });
      assert.equal(begin.status, 200, await begin.clone().text());
      const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(await begin.text())?.[1];
      assert.ok(secret, "the set-up shows its key");
      const res = await postForm(user, { intent: "2fa-confirm", code: "1234567", secret });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /6 digits/);
      assert.match(html, /id="totp-key"/, "the set-up stays on screen");
      const profile = await (await api(user, "GET", "/api/users/profile")).json();
      assert.equal(profile.twoFactorEnabled, false);
    });

    await t.step("page 2FA confirm: wrong codes are limited like everywhere else", async () => {
      const user = await signUp(app);
      const begin = await postForm(user, { intent: "2fa-begin" });
      const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(await begin.text())![1];
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
      await expectLimited(
        codes.limit,
        codes.limit + 3,
        422,
        () => postForm(user, { intent: "2fa-confirm", code: wrongCode(totp), secret }),
        "page confirm",
      );
      // Spent, even the right code waits.
      const res = await postForm(user, { intent: "2fa-confirm", code: totp.generate(), secret });
      assert.equal(res.status, 429);
      assert.match(await res.text(), /Too many attempts/);
    });

    await t.step("API 2FA confirm: a code that is not 6 digits is 422 naming the field", async () => {
      const user = await signUp(app);
      assert.equal((await api(user, "POST", "/api/auth/2fa/enroll")).status, 200);
      const body = await expectError(
        await api(user, "POST", "/api/auth/2fa/confirm", { code: "1234567" }),
        422,
        "unprocessable",
      );
      assert.match(body.error.fields?.code ?? "", /6 digits/);
    });
  } finally {
    await test.close();
  }
});

Deno.test("2FA enrolment needs a recent step-up: a stolen session cannot bind the thief's phone", async (t) => {
  const test = await openTestApp();
  const { app } = test;
  try {
    await t.step("API: enrol and confirm without a recent step-up → 403 step_up_required", async () => {
      const user = await signUp(app);
      const enrol = await api(user, "POST", "/api/auth/2fa/enroll");
      assert.equal(enrol.status, 200);
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32((await enrol.json()).secret) });
      await staleStepUp(test, user);
      await expectError(await api(user, "POST", "/api/auth/2fa/enroll"), 403, "step_up_required", "enroll");
      await expectError(
        await api(user, "POST", "/api/auth/2fa/confirm", { code: totp.generate() }),
        403,
        "step_up_required",
        "confirm",
      );
      const profile = await (await api(user, "GET", "/api/users/profile")).json();
      assert.equal(profile.twoFactorEnabled, false);
    });

    await t.step("API: after reauth, enrolment works", async () => {
      const user = await signUp(app);
      await staleStepUp(test, user);
      await expectError(await api(user, "POST", "/api/auth/2fa/enroll"), 403, "step_up_required");
      const reauth = await api(user, "POST", "/api/auth/reauth", { password: user.password });
      assert.equal(reauth.status, 204);
      await enableTwoFactor(user);
    });

    await t.step("page: without a recent step-up the set-up asks for the password first", async () => {
      const user = await signUp(app);
      await staleStepUp(test, user);
      const page = await user.client.request("/account/security", { headers: { cookie: cookieOf(user) } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), PASSWORD_INPUT);

      const bare = await postForm(user, { intent: "2fa-begin" });
      assert.equal(bare.status, 403);
      assert.equal(bare.headers.get("content-type"), HTML);
      const html = await bare.text();
      assert.match(html, /Enter your password/);
      assert.doesNotMatch(html, /id="totp-key"/);

      const wrong = await postForm(user, { intent: "2fa-begin", password: WRONG });
      assert.equal(wrong.status, 422);
      assert.doesNotMatch(await wrong.text(), /id="totp-key"/);

      const ok = await postForm(user, { intent: "2fa-begin", password: user.password });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /id="totp-key"/);
    });

    await t.step("page: right after signing in, the set-up needs no password again", async () => {
      const user = await signUp(app);
      const page = await user.client.request("/account/security", { headers: { cookie: cookieOf(user) } });
      assert.doesNotMatch(await page.text(), PASSWORD_INPUT);
      const ok = await postForm(user, { intent: "2fa-begin" });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /id="totp-key"/);
    });
  } finally {
    await test.close();
  }
});
