import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";

/** The refresh cookie alone: what a browser sends once its 15-minute access cookie has expired. */
function refreshOnly(refreshToken: string): string {
  return sessionCookies(false, { accessToken: "expired", refreshToken })[1].split(";")[0];
}

function cookiesFrom(res: Response): string {
  return res.headers.getSetCookie().filter((c) => !/Max-Age=0/.test(c)).map((c) => c.split(";")[0]).join(
    "; ",
  );
}

Deno.test("browser sessions: transparent refresh, and a page's parallel refreshes do not end the login", async (t) => {
  const { app, close } = await openTestApp();
  const c = client(app);
  try {
    const user = await signUp(app);

    await t.step("an expired access cookie is renewed from the refresh cookie (both rotated)", async () => {
      const res = await c.request("/account/security", {
        headers: { cookie: refreshOnly(user.refreshToken) },
      });
      assert.equal(res.status, 200);
      const set = res.headers.getSetCookie();
      assert.ok(set.some((c) => c.startsWith("pt_access=") && /HttpOnly/.test(c) && /SameSite=Lax/.test(c)));
      assert.ok(set.some((c) => c.startsWith("pt_refresh=") && !c.includes(user.refreshToken)));
      await res.body?.cancel();
    });

    await t.step("parallel requests with the same refresh cookie: one rotates, none revokes", async () => {
      const fresh = await signUp(app);
      const cookie = refreshOnly(fresh.refreshToken);
      const responses = await Promise.all(
        [1, 2, 3].map(() => c.request("/account/security", { headers: { cookie } })),
      );
      const winners = responses.filter((r) => r.status === 200);
      assert.equal(winners.length, 1);
      for (const loser of responses.filter((r) => r.status !== 200)) {
        assert.equal(loser.status, 303); // sent to sign in for this one request…
        assert.ok(!loser.headers.getSetCookie().some((c) => /Max-Age=0/.test(c))); // …without wiping cookies
      }
      for (const r of responses) await r.body?.cancel();
      // The winner's cookies keep working: the login survived the race.
      const next = await c.request("/account/security", { headers: { cookie: cookiesFrom(winners[0]) } });
      assert.equal(next.status, 200);
      await next.body?.cancel();
    });

    await t.step("the API stays strict: replaying a spent refresh token revokes the login", async () => {
      const api = await signUp(app);
      const first = await c.json("POST", "/api/auth/refresh", { refreshToken: api.refreshToken });
      assert.equal(first.status, 200);
      const { refreshToken } = await first.json();
      const replay = await c.json("POST", "/api/auth/refresh", { refreshToken: api.refreshToken });
      assert.equal(replay.status, 401);
      await replay.body?.cancel();
      const after = await c.json("POST", "/api/auth/refresh", { refreshToken });
      assert.equal(after.status, 401);
      await after.body?.cancel();
    });
  } finally {
    await close();
  }
});
