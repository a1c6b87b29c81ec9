/**
 * Refresh-token rotation and family revocation (DESIGN §4, §6): every refresh returns a new pair; a spent
 * refresh token presented again revokes its whole login; logout ends a session at once; other logins of the
 * same user are untouched.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { apiLogin, expectError, jwtClaims, signUp, type TestClient } from "./helpers/client.ts";
import { rotateRefreshToken } from "../services/auth/sessions.ts";
import { HttpError } from "../lib/errors.ts";

const PROFILE = "/api/users/profile";

async function refresh(c: TestClient, refreshToken: string) {
  return await c.json("POST", "/api/auth/refresh", { refreshToken });
}

async function refreshOk(c: TestClient, refreshToken: string) {
  const res = await refresh(c, refreshToken);
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${await res.text()}`);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const body = await res.json();
  assert.equal(typeof body.accessToken, "string");
  assert.equal(typeof body.refreshToken, "string");
  assert.equal(body.expiresIn, 900);
  return body as { accessToken: string; refreshToken: string };
}

Deno.test("auth: refresh rotation, reuse detection and logout", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const c = user.client;
    const profileStatus = async (token: string) => {
      const res = await c.json("GET", PROFILE, undefined, { bearer: token });
      await res.body?.cancel();
      return res.status;
    };

    // Login 1 (the family under attack) and login 2 (another device of the same user).
    const p0 = { accessToken: user.accessToken, refreshToken: user.refreshToken };
    const second = await apiLogin(c, user.email, user.password);
    assert.notEqual(second.sessionId, user.sessionId);

    let p1: { accessToken: string; refreshToken: string };
    let p2: { accessToken: string; refreshToken: string };

    await t.step("each refresh returns a new pair (both tokens differ), same session", async () => {
      p1 = await refreshOk(c, p0.refreshToken);
      assert.notEqual(p1.accessToken, p0.accessToken);
      assert.notEqual(p1.refreshToken, p0.refreshToken);
      p2 = await refreshOk(c, p1.refreshToken);
      assert.notEqual(p2.accessToken, p1.accessToken);
      assert.notEqual(p2.refreshToken, p1.refreshToken);
      assert.notEqual(p2.refreshToken, p0.refreshToken);
      for (const p of [p1, p2]) {
        assert.equal(jwtClaims(p.accessToken).sid, user.sessionId);
        assert.equal(jwtClaims(p.accessToken).sub, user.userId);
      }
      assert.equal(await profileStatus(p2.accessToken), 200);
    });

    await t.step("replaying a spent refresh token → 401, and the whole family is revoked", async () => {
      await expectError(await refresh(c, p0.refreshToken), 401, "unauthorized", "replay of spent token");
      // The newest refresh token of that login no longer works…
      await expectError(await refresh(c, p2.refreshToken), 401, "unauthorized", "newest token after reuse");
      // …nor any access token of it, at once.
      for (const token of [p2.accessToken, p1.accessToken, p0.accessToken]) {
        await expectError(
          await c.json("GET", PROFILE, undefined, { bearer: token }),
          401,
          "unauthorized",
          "access token of revoked family",
        );
      }
      // Replaying again changes nothing and stays a 401.
      await expectError(await refresh(c, p1.refreshToken), 401, "unauthorized", "second replay");
    });

    await t.step("the reuse is audited as auth.refresh_reuse for the session", async () => {
      const rows = await deps.db.sql<{ actor_id: string; target_type: string; ip: string | null }[]>`
        select actor_id, target_type, ip from audit_log
        where action = 'auth.refresh_reuse' and target_id = ${user.sessionId}`;
      assert.equal(rows.length, 1, "exactly one audit row for the reuse (repeat replays do not add more)");
      assert.equal(rows[0].actor_id, user.userId);
      assert.equal(rows[0].target_type, "session");
      assert.equal(rows[0].ip, c.ip);
      const [session] = await deps.db.sql<{ revoked_reason: string | null }[]>`
        select revoked_reason from auth_sessions where id = ${user.sessionId}`;
      assert.equal(session.revoked_reason, "token_reuse");
    });

    await t.step("the user's other login is unaffected", async () => {
      assert.equal(await profileStatus(second.accessToken), 200);
      const next = await refreshOk(c, second.refreshToken);
      assert.equal(await profileStatus(next.accessToken), 200);
      second.accessToken = next.accessToken;
      second.refreshToken = next.refreshToken;
    });

    await t.step("a new login after the revocation works normally", async () => {
      const third = await apiLogin(c, user.email, user.password);
      assert.equal(await profileStatus(third.accessToken), 200);
      assert.equal((await refreshOk(c, third.refreshToken)).accessToken.split(".").length, 3);
    });

    await t.step("logout with the bearer token: that access token is 401 at once", async () => {
      const res = await c.json("POST", "/api/auth/logout", {}, { bearer: second.accessToken });
      assert.equal(res.status, 204);
      await expectError(
        await c.json("GET", PROFILE, undefined, { bearer: second.accessToken }),
        401,
        "unauthorized",
        "access token after logout",
      );
      await expectError(await refresh(c, second.refreshToken), 401, "unauthorized", "refresh after logout");
    });

    await t.step("logout with only the refresh token ends that login too", async () => {
      const fourth = await apiLogin(c, user.email, user.password);
      const res = await c.json("POST", "/api/auth/logout", { refreshToken: fourth.refreshToken });
      assert.equal(res.status, 204);
      assert.equal(await profileStatus(fourth.accessToken), 401);
      await expectError(await refresh(c, fourth.refreshToken), 401, "unauthorized", "refresh after logout");
    });

    await t.step("one refresh token used twice at once: exactly one new pair is issued", async () => {
      const fifth = await apiLogin(c, user.email, user.password);
      const results = await Promise.all([refresh(c, fifth.refreshToken), refresh(c, fifth.refreshToken)]);
      const statuses = results.map((r) => r.status).toSorted();
      await Promise.all(results.map((r) => r.body?.cancel()));
      assert.deepEqual(statuses, [200, 401], "a race must not mint two live refresh tokens");
      // The loser presented a spent token: that is reuse, and the login is over for both copies.
      assert.equal(await profileStatus(fifth.accessToken), 401);
    });

    await t.step(
      "unknown or malformed refresh tokens are 401/422, never a revocation of anything",
      async () => {
        await expectError(await refresh(c, crypto.randomUUID()), 401, "unauthorized", "unknown token");
        await expectError(await c.json("POST", "/api/auth/refresh", {}), 422, "unprocessable", "no token");
        await expectError(await refresh(c, "x".repeat(201)), 422, "unprocessable", "overlong token");
      },
    );
  } finally {
    await close();
  }
});

Deno.test("auth: a spent refresh token replayed by a request that read the clock first is reuse, not a race", async () => {
  // Two requests with one token: each takes its `now` before waiting for the row lock, so the loser's clock can
  // read earlier than the winner's `used_at`. Without a grace period that replay must still revoke the login
  // (it was answered as a benign race, leaving the stolen family alive: seen as a flake under load).
  const { app, deps, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const actor = { userId: null, ip: user.ip, userAgent: "proptrade-tests" };
    const winnerNow = new Date();
    await rotateRefreshToken(deps.db, user.refreshToken, actor, winnerNow);
    const loserNow = new Date(winnerNow.getTime() - 5);
    await assert.rejects(
      () => rotateRefreshToken(deps.db, user.refreshToken, actor, loserNow),
      (e: unknown) => e instanceof HttpError && e.status === 401 && e.code === "unauthorized",
    );
    const res = await user.client.json("GET", PROFILE, undefined, { bearer: user.accessToken });
    await res.body?.cancel();
    assert.equal(res.status, 401, "the reused login must be revoked");
  } finally {
    await close();
  }
});
