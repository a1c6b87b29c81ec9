/**
 * Brute-force limits on login (per account and per IP, DESIGN §6) and CSRF protection of cookie sessions.
 * Limits come from RATE_RULES; every client has a fresh random address and every account a fresh email, so
 * budgets left in Redis by earlier runs never interfere.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp, uniqueEmail } from "./helpers/client.ts";
import { RATE_RULES } from "../services/rate_limit/rules.ts";

const LOGIN = "/api/auth/login";

async function expectRateLimited(res: Response, what: string, windowSeconds: number) {
  const retryAfter = res.headers.get("retry-after");
  await expectError(res, 429, "rate_limited", what);
  assert.ok(retryAfter, `${what}: 429 without retry-after`);
  const seconds = Number(retryAfter);
  assert.ok(
    Number.isInteger(seconds) && seconds >= 1 && seconds <= windowSeconds,
    `retry-after ${retryAfter}`,
  );
}

Deno.test("auth: login brute force is limited per account and per IP", async (t) => {
  const { app, close } = await openTestApp();
  try {
    const perAccount = RATE_RULES.login_account_ip;
    const perIp = RATE_RULES.login_ip;
    assert.ok(perIp.limit > perAccount.limit + 1, "the tests below assume login_ip > login_account_ip + 1");
    const victim = await signUp(app);
    const other = await signUp(app);
    const attacker = client(app);
    let attemptsFromAttacker = 0;
    const attempt = async (email: string, password = "wrong-Password-guess-1") => {
      attemptsFromAttacker++;
      return await attacker.json("POST", LOGIN, { email, password });
    };

    await t.step(`one account, one IP: ${perAccount.limit} failures are 401, the next is 429`, async () => {
      for (let i = 1; i <= perAccount.limit; i++) {
        await expectError(await attempt(victim.email), 401, "unauthorized", `failure ${i}`);
      }
      await expectRateLimited(await attempt(victim.email), "over login_account_ip", perAccount.windowSeconds);
      // The email is normalised before counting: case and spaces do not buy a new budget.
      await expectRateLimited(
        await attempt(`  ${victim.email.toUpperCase()} `),
        "same account, other spelling",
        perAccount.windowSeconds,
      );
    });

    await t.step("one address spending its budget does not lock the account for others", async () => {
      // Distributed guessing is stopped by the account's unknown-client budget instead, which the owner's
      // known devices do not share (tests/auth_device_limits_test.ts).
      const elsewhere = client(app);
      const res = await elsewhere.json("POST", LOGIN, { email: victim.email, password: "another-Guess-42x" });
      await expectError(res, 401, "unauthorized", "same account from a new IP");
    });

    await t.step("another account from the same IP has its own budget (401, not 429)", async () => {
      await expectError(await attempt(other.email), 401, "unauthorized", "other account, same IP");
    });

    await t.step(`the IP is stopped at ${perIp.limit} attempts across accounts`, async () => {
      // Spray fresh accounts, each well inside its own budget, until the IP budget is spent.
      while (attemptsFromAttacker < perIp.limit) {
        await expectError(
          await attempt(uniqueEmail("spray")),
          401,
          "unauthorized",
          `attempt ${attemptsFromAttacker}`,
        );
      }
      await expectRateLimited(await attempt(uniqueEmail("spray")), "over login_ip", perIp.windowSeconds);
      // Even the right password for an untouched account is refused from this address now.
      await expectRateLimited(
        await attempt(other.email, other.password),
        "right password, spent IP",
        perIp.windowSeconds,
      );
      // Other addresses are not affected.
      const fresh = client(app);
      const res = await fresh.json("POST", LOGIN, { email: other.email, password: other.password });
      assert.equal(res.status, 200, await res.text());
    });
  } finally {
    await close();
  }
});

Deno.test("auth: CSRF — cookie sessions need a same-origin request for unsafe methods", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const browser = client(app);

    // Sign in as a browser does: the form, from our own page.
    const signin = await browser.request("/signin", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
        origin: deps.config.appUrl,
      },
      body: new URLSearchParams({ email: user.email, password: user.password, next: "/" }),
      redirect: "manual",
    });
    assert.equal(signin.status, 303, await signin.text());
    const cookie = signin.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    assert.match(cookie, /pt_access=[^;]+/);
    assert.match(cookie, /pt_refresh=[^;]+/);

    const put = (headers: Record<string, string>, body: unknown = { firstName: "Csrf" }) =>
      browser.json("PUT", "/api/users/profile", body, { cookie, headers });

    await t.step("the cookie session works for reads", async () => {
      const res = await browser.json("GET", "/api/users/profile", undefined, { cookie });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).email, user.email);
    });

    await t.step("sec-fetch-site: cross-site → 403 csrf", async () => {
      await expectError(await put({ "sec-fetch-site": "cross-site" }), 403, "csrf", "cross-site");
    });

    await t.step("sec-fetch-site: same-site (a sibling subdomain) → 403 csrf", async () => {
      await expectError(await put({ "sec-fetch-site": "same-site" }), 403, "csrf", "same-site");
    });

    await t.step("origin https://evil.example, no sec-fetch-site → 403 csrf", async () => {
      await expectError(await put({ origin: "https://evil.example" }), 403, "csrf", "evil origin");
      await expectError(await put({ origin: "null" }), 403, "csrf", "opaque origin");
    });

    await t.step("cookies but neither header → 403 csrf", async () => {
      await expectError(await put({}), 403, "csrf", "no provenance");
    });

    await t.step("a refused request changed nothing", async () => {
      const res = await browser.json("GET", "/api/users/profile", undefined, { cookie });
      assert.equal((await res.json()).firstName, "Test");
    });

    await t.step("sec-fetch-site: same-origin → 200", async () => {
      const res = await put({ "sec-fetch-site": "same-origin" });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.json()).firstName, "Csrf");
    });

    await t.step("origin equal to the app's, no sec-fetch-site → 200", async () => {
      const res = await put({ origin: deps.config.appUrl }, { firstName: "Origin" });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.json()).firstName, "Origin");
    });

    await t.step("bearer-authenticated requests are not subject to the origin check", async () => {
      const res = await user.client.json("PUT", "/api/users/profile", { lastName: "Bearer" }, {
        bearer: user.accessToken,
        headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.json()).lastName, "Bearer");
    });

    await t.step("login CSRF: a cross-site sign-in form post is refused", async () => {
      const res = await client(app).request("/signin", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
        body: new URLSearchParams({ email: user.email, password: user.password }),
        redirect: "manual",
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.getSetCookie().length, 0, "no session cookies for a cross-site sign-in");
      await res.body?.cancel();
    });

    await t.step("an unsupported method: 405 with Allow, after the origin check", async () => {
      const patch = (headers: Record<string, string>) =>
        browser.json("PATCH", "/api/users/profile", { firstName: "Patch" }, { cookie, headers });
      // Cross-site it is refused as any unsafe request is, before the route's methods are looked at.
      await expectError(await patch({ "sec-fetch-site": "cross-site" }), 403, "csrf", "cross-site PATCH");
      const res = await patch({ "sec-fetch-site": "same-origin" });
      const body = await expectError(res, 405, "method_not_allowed", "same-origin PATCH");
      assert.equal(res.headers.get("allow"), "GET, HEAD, PUT");
      assert.equal(typeof body.error.message, "string");
      const bearer = await user.client.json("PATCH", "/api/users/profile", {}, { bearer: user.accessToken });
      await expectError(bearer, 405, "method_not_allowed", "bearer PATCH");
    });

    await t.step("the refusals are audited", async () => {
      const rows = await deps.db.sql<{ n: number }[]>`
        select count(*)::int as n from audit_log
        where action = 'authz.denied' and actor_id = ${user.userId} and details->>'reason' = 'csrf'`;
      assert.ok(rows[0].n >= 4, `expected ≥ 4 csrf audit rows, got ${rows[0].n}`);
    });
  } finally {
    await close();
  }
});
