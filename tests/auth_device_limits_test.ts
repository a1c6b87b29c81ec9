/**
 * Sign-in guessing is throttled without letting strangers lock the owner out (issue #9, item 5; OWASP
 * "device cookies"): per (account, IP), per account for unknown clients, and per device token for clients
 * that signed in before. Every client has a fresh random address and every account a fresh email, so budgets
 * left in Redis by earlier runs never interfere.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp, type TestClient } from "./helpers/client.ts";
import { RATE_RULES } from "../services/rate_limit/rules.ts";
import { deviceCookie } from "../routes/(_http)/auth_cookies.ts";

const LOGIN = "/api/auth/login";
const WRONG = "wrong-Password-guess-1";
const perPair = RATE_RULES.login_account_ip;
const unknown = RATE_RULES.login_account_unknown;

/** Signs in through the API and returns the device token the answer carries. */
async function deviceTokenOf(c: TestClient, email: string, password: string): Promise<string> {
  const res = await c.json("POST", LOGIN, { email, password });
  assert.equal(res.status, 200, await res.clone().text());
  const { deviceToken } = await res.json();
  assert.equal(typeof deviceToken, "string");
  return deviceToken;
}

/** Flips one character of the token's signature part, keeping it well-formed. */
function tamper(token: string): string {
  const last = token.at(-1) === "A" ? "B" : "A";
  return token.slice(0, -1) + last;
}

Deno.test("sign-in limits: guessing from many addresses cannot lock the owner's device out", async (t) => {
  const { app, close } = await openTestApp();
  try {
    assert.ok(
      unknown.limit > perPair.limit,
      "the steps below assume login_account_unknown > login_account_ip",
    );
    const owner = await signUp(app);
    const other = await signUp(app);
    const device = await deviceTokenOf(owner.client, owner.email, owner.password);
    const otherDevice = await deviceTokenOf(other.client, other.email, other.password);
    let unknownSpent = 0;
    const guess = async (c: TestClient, body: Record<string, unknown> = {}) => {
      const res = await c.json("POST", LOGIN, { email: owner.email, password: WRONG, ...body });
      if (res.status === 401) unknownSpent++;
      return res;
    };

    await t.step(
      "(c) one address over its (account, IP) budget gets 429; another address has its own",
      async () => {
        const first = client(app);
        for (let i = 1; i <= perPair.limit; i++) {
          await expectError(await guess(first), 401, "unauthorized", `pair failure ${i}`);
        }
        await expectError(await guess(first), 429, "rate_limited", "over login_account_ip");
        await expectError(await guess(client(app)), 401, "unauthorized", "a second address still tries");
      },
    );

    await t.step("(b) unknown clients over the account's unknown-client budget get 429", async () => {
      while (unknownSpent < unknown.limit) {
        const c = client(app);
        for (let i = 0; i < perPair.limit && unknownSpent < unknown.limit; i++) {
          await expectError(await guess(c), 401, "unauthorized", `unknown failure ${unknownSpent + 1}`);
        }
      }
      await expectError(await guess(client(app)), 429, "rate_limited", "fresh address, budget spent");
      // Even the right password from a new device waits: that is the price of a distributed attack.
      const res = await client(app).json("POST", LOGIN, { email: owner.email, password: owner.password });
      await expectError(res, 429, "rate_limited", "right password, unknown client");
    });

    await t.step("(d) a forged, tampered or borrowed device token counts as unknown", async () => {
      for (
        const [what, token] of [
          ["tampered", tamper(device)],
          ["another account's", otherDevice],
          ["garbage", "v1.not-a-token"],
          ["empty", ""],
        ]
      ) {
        const res = await client(app).json("POST", LOGIN, {
          email: owner.email,
          password: owner.password,
          deviceToken: token,
        });
        await expectError(res, 429, "rate_limited", `${what} device token`);
      }
    });

    await t.step("(a) the owner's device signs in, from any address, with a fresh token", async () => {
      const res = await client(app).json("POST", LOGIN, {
        email: owner.email,
        password: owner.password,
        deviceToken: device,
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.ok(body.accessToken && body.refreshToken);
      assert.equal(typeof body.deviceToken, "string");
    });

    await t.step("a device token keeps its own budget: a copied one cannot guess freely", async () => {
      const thief = client(app);
      const perDevice = RATE_RULES.login_device;
      for (let i = 1; i <= perDevice.limit; i++) {
        await expectError(await guess(thief, { deviceToken: device }), 401, "unauthorized", `device ${i}`);
      }
      await expectError(
        await guess(thief, { deviceToken: device }),
        429,
        "rate_limited",
        "over login_device",
      );
    });
  } finally {
    await close();
  }
});

Deno.test("sign-in page: the device cookie is issued at sign-in and lets the owner past a spent budget", async (t) => {
  const { app, close } = await openTestApp();
  try {
    const owner = await signUp(app);
    const browser = client(app);
    const signIn = (c: TestClient, cookie?: string, password = owner.password) =>
      c.request("/signin", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
          ...(cookie ? { cookie } : {}),
        },
        body: new URLSearchParams({ email: owner.email, password, next: "/" }),
        redirect: "manual",
      });

    let device = "";
    await t.step("a successful sign-in sets an HttpOnly, SameSite device cookie", async () => {
      const res = await signIn(browser);
      assert.equal(res.status, 303, await res.text());
      const set = res.headers.getSetCookie().find((c) => c.startsWith("pt_device="));
      assert.ok(set, `no device cookie in ${res.headers.getSetCookie().join(" | ")}`);
      assert.match(set, /; HttpOnly/);
      assert.match(set, /; SameSite=Lax/);
      assert.match(set, /; Path=\//);
      assert.match(set, /; Max-Age=\d{7,}/);
      device = set.split(";")[0];
    });

    await t.step("outside development it is __Host- and Secure, like the session cookies", () => {
      const secure = deviceCookie(true, "token");
      assert.match(secure, /^__Host-pt_device=token; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/);
    });

    await t.step("strangers spend the unknown-client budget; the page answers 429", async () => {
      for (let spent = 0; spent < unknown.limit;) {
        const c = client(app);
        for (let i = 0; i < perPair.limit && spent < unknown.limit; i++, spent++) {
          const res = await signIn(c, undefined, WRONG);
          assert.equal(res.status, 401, `failure ${spent + 1}`);
          await res.body?.cancel();
        }
      }
      const res = await signIn(client(app));
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await res.text(), /Too many sign-in attempts/);
    });

    await t.step("a tampered device cookie is an unknown client (429)", async () => {
      const res = await signIn(client(app), tamper(device));
      assert.equal(res.status, 429);
      await res.body?.cancel();
    });

    await t.step("the owner's browser, with its device cookie, signs in", async () => {
      const res = await signIn(browser, device);
      assert.equal(res.status, 303, await res.text());
      assert.match(res.headers.getSetCookie().join("\n"), /pt_access=/);
    });
  } finally {
    await close();
  }
});
