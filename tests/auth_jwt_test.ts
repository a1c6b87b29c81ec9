/**
 * The JWT attack set against `GET /api/users/profile`. Tokens are forged with the test app's own secret,
 * issuer and audience, so in each case only the attacked property is wrong: a 401 proves that property is
 * checked. The control (everything right) must be a 200.
 */
import assert from "node:assert/strict";
import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp, uniqueEmail } from "./helpers/client.ts";
import { TOKEN_AUDIENCE } from "../services/auth/tokens.ts";

const PROFILE = "/api/users/profile";
const enc = new TextEncoder();

function b64json(value: unknown): string {
  return base64url.encode(enc.encode(JSON.stringify(value)));
}

async function hmac(alg: "SHA-256" | "SHA-384" | "SHA-512", secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: alg }, false, [
    "sign",
  ]);
  return base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(data))));
}

Deno.test("auth: JWT attacks on the bearer token are 401", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const secret = deps.config.jwtSecret;
    const issuer = deps.config.appUrl;
    const now = Math.floor(Date.now() / 1000);
    const a = await signUp(app);
    const b = await signUp(app);
    const c = client(app);

    /** Valid claims for user A's live session; override any of them (undefined removes one). */
    const claimsFor = (over: Record<string, unknown> = {}) => {
      const claims: Record<string, unknown> = {
        sub: a.userId,
        role: "trader",
        sid: a.sessionId,
        jti: crypto.randomUUID(),
        iss: issuer,
        aud: TOKEN_AUDIENCE,
        iat: now,
        nbf: now,
        exp: now + 900,
        ...over,
      };
      for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
      return claims;
    };
    /** A token signed correctly (HS256, the app's secret) over `claims`. */
    const hs256 = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", ...header }).sign(
        enc.encode(secret),
      );
    /** A token whose header claims `alg` but which is HMAC'd with the app's secret. */
    const hmacWithHeader = async (
      alg: string,
      claims: Record<string, unknown>,
      hash: "SHA-256" | "SHA-512",
    ) => {
      const input = `${b64json({ alg, typ: "JWT" })}.${b64json(claims)}`;
      return `${input}.${await hmac(hash, secret, input)}`;
    };
    const profile = (token: string) => c.json("GET", PROFILE, undefined, { bearer: token });
    // Every case of a step runs even when an earlier one fails; the step then fails listing all of them.
    let problems: string[] = [];
    let cases = 0;
    const collect = async (check: Promise<unknown>) => {
      cases++;
      try {
        await check;
      } catch (error) {
        problems.push((error as Error).message);
      }
    };
    const rejects = (token: string, what: string) =>
      collect(profile(token).then((res) => expectError(res, 401, "unauthorized", what)));
    const step = (name: string, fn: () => Promise<void>) =>
      t.step(name, async () => {
        problems = [];
        await fn();
        assert.ok(problems.length === 0, `${problems.length} case(s) not refused:\n${problems.join("\n")}`);
      });

    await step("control: the login's token and a correctly forged token are 200", async () => {
      const res = await profile(a.accessToken);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).id, a.userId);
      const forged = await profile(await hs256(claimsFor()));
      assert.equal(
        forged.status,
        200,
        "a token with only correct properties must pass, else the cases prove nothing",
      );
      assert.equal((await forged.json()).id, a.userId);
    });

    await step("alg: none (unsigned, valid claims)", async () => {
      for (const alg of ["none", "None", "NONE", "nOnE"]) {
        const token = `${b64json({ alg, typ: "JWT" })}.${b64json(claimsFor())}.`;
        await rejects(token, `alg ${alg}`);
        // …and with a signature part that is present but meaningless
        await rejects(`${token}${base64url.encode(enc.encode("x"))}`, `alg ${alg} + junk signature`);
      }
    });

    await step("asymmetric confusion: RS256 with a fresh RSA key (also with the key embedded)", async () => {
      const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
      await rejects(
        await new SignJWT(claimsFor()).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(privateKey),
        "RS256, attacker key",
      );
      const jwk = await exportJWK(publicKey);
      await rejects(
        await new SignJWT(claimsFor()).setProtectedHeader({ alg: "RS256", typ: "JWT", jwk }).sign(privateKey),
        "RS256, attacker key embedded as jwk header",
      );
      const ec = await generateKeyPair("ES256");
      await rejects(
        await new SignJWT(claimsFor()).setProtectedHeader({ alg: "ES256", typ: "JWT" }).sign(ec.privateKey),
        "ES256, attacker key",
      );
    });

    await step(
      "HS/asymmetric confusion: RS256/ES256/EdDSA-headed tokens HMAC'd with the app secret",
      async () => {
        for (const alg of ["RS256", "ES256", "PS256", "EdDSA"]) {
          await rejects(await hmacWithHeader(alg, claimsFor(), "SHA-256"), `${alg} header, HMAC-SHA256 body`);
        }
        // Another HMAC algorithm with the right secret is still not the pinned one.
        await rejects(await hmacWithHeader("HS512", claimsFor(), "SHA-512"), "HS512 with the app secret");
      },
    );

    await step("expired", async () => {
      await rejects(
        await hs256(claimsFor({ iat: now - 3600, nbf: now - 3600, exp: now - 2700 })),
        "expired 45 min ago",
      );
      await rejects(
        await hs256(claimsFor({ iat: now - 960, nbf: now - 960, exp: now - 60 })),
        "expired 1 min ago",
      );
      await rejects(await hs256(claimsFor({ exp: undefined })), "no exp");
    });

    await step("not yet valid: nbf / iat in the future", async () => {
      await rejects(await hs256(claimsFor({ nbf: now + 3600 })), "nbf in 1 h");
      await rejects(
        await hs256(claimsFor({ iat: now + 3600, nbf: now + 3600, exp: now + 4500 })),
        "iat and nbf in 1 h",
      );
      await rejects(
        await hs256(claimsFor({ iat: now + 3600, nbf: undefined, exp: now + 4500 })),
        "iat in 1 h, no nbf",
      );
    });

    await step("wrong or missing issuer", async () => {
      await rejects(await hs256(claimsFor({ iss: "https://evil.example" })), "iss evil");
      await rejects(await hs256(claimsFor({ iss: `${issuer}/` })), "iss with trailing slash");
      await rejects(await hs256(claimsFor({ iss: undefined })), "no iss");
    });

    await step("wrong or missing audience", async () => {
      await rejects(await hs256(claimsFor({ aud: "proptrade-admin" })), "aud other");
      await rejects(await hs256(claimsFor({ aud: ["other-api", "another-api"] })), "aud list without ours");
      await rejects(await hs256(claimsFor({ aud: undefined })), "no aud");
    });

    await step("tampered payload, original signature kept", async () => {
      const [h, p, s] = a.accessToken.split(".");
      const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
      const tamper = async (change: Record<string, unknown>, what: string) =>
        await rejects(`${h}.${b64json({ ...payload, ...change })}.${s}`, what);
      await tamper({ role: "admin" }, "role → admin");
      await tamper({ sub: b.userId, sid: b.sessionId }, "sub/sid → B");
      await tamper({ exp: payload.exp + 86_400 }, "exp + 1 day");
      // A flipped signature bit on an untouched payload.
      const bad = s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.at(-1);
      await rejects(`${h}.${p}.${bad}`, "signature altered");
    });

    await step("claims the app requires: missing or of the wrong kind", async () => {
      await rejects(await hs256(claimsFor({ sid: undefined })), "no sid");
      await rejects(await hs256(claimsFor({ sub: undefined })), "no sub");
      await rejects(await hs256(claimsFor({ jti: undefined })), "no jti");
      await rejects(await hs256(claimsFor({ role: "superuser" })), "role not a role");
      await rejects(await hs256(claimsFor({ sid: 12345 })), "sid a number");
      await rejects(await hs256(claimsFor({ sid: crypto.randomUUID() })), "sid of no session");
      await rejects(await hs256(claimsFor({ sid: "not-a-uuid" })), "sid not a uuid");
      await rejects(await hs256(claimsFor({ sub: "not-a-uuid" })), "sub not a uuid");
    });

    await step("a token whose session was revoked (logout)", async () => {
      const u = await signUp(app);
      assert.equal((await profile(u.accessToken)).status, 200);
      const out = await u.client.json("POST", "/api/auth/logout", {}, { bearer: u.accessToken });
      assert.equal(out.status, 204);
      await rejects(u.accessToken, "token of a logged-out session");
      // Even a freshly signed token cannot revive the revoked session.
      await rejects(
        await hs256(claimsFor({ sub: u.userId, sid: u.sessionId })),
        "new token for a revoked session",
      );
    });

    await step("a token whose sub is not its session's user", async () => {
      await rejects(await hs256(claimsFor({ sub: b.userId, sid: a.sessionId })), "sub B, sid A");
      await rejects(await hs256(claimsFor({ sub: a.userId, sid: b.sessionId })), "sub A, sid B");
      await rejects(await hs256(claimsFor({ sub: crypto.randomUUID() })), "sub of nobody");
    });

    await step("garbage and malformed Authorization headers", async () => {
      const token = a.accessToken;
      const headers = [
        "",
        "Bearer",
        "Bearer ",
        "Bearer  " + token,
        "Basic dXNlcjpwYXNzd29yZA==",
        "Token " + token,
        token,
        "Bearer a.b",
        "Bearer a.b.c",
        "Bearer ...",
        "Bearer ..",
        "Bearer " + token + " extra",
        "Bearer " + token + ", Bearer " + token,
        "Bearer " + token.replaceAll(".", ""),
        "Bearer " + token.split(".").slice(0, 2).join("."),
        "Bearer " + token + ".",
        "Bearer " + token + ".AAAA",
        "Bearer " + "A".repeat(20_000),
        "Bearer " + "eyJ".repeat(3000) + "." + "eyJ".repeat(3000) + ".x",
        "Bearer " + b64json("just a string") + "." + b64json({}) + ".",
        "Bearer " + b64json([1, 2]) + "." + b64json(claimsFor()) + ".c2ln",
        "Bearer e30.e30.e30",
        "Bearer %00%00",
        "Bearer null",
        "Bearer undefined",
        'Bearer {"alg":"none"}',
        "Bearer ' OR 1=1 --",
      ];
      for (const authorization of headers) {
        const res = await c.request(PROFILE, { headers: { authorization } });
        await collect(expectError(res, 401, "unauthorized", `Authorization: ${authorization.slice(0, 60)}`));
      }
      // A bad bearer token is refused even on a public endpoint: it is never silently anonymous.
      const res = await c.json("POST", "/api/auth/forgot-password", { email: uniqueEmail() }, {
        bearer: "a.b.c",
      });
      await collect(expectError(res, 401, "unauthorized", "bad bearer on a public endpoint"));
    });

    await step("the same attacks in the access cookie leave the caller anonymous (401)", async () => {
      const none = `${b64json({ alg: "none", typ: "JWT" })}.${b64json(claimsFor())}.`;
      const [h, p, s] = a.accessToken.split(".");
      const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
      const tampered = `${h}.${b64json({ ...payload, role: "admin" })}.${s}`;
      const expired = await hs256(claimsFor({ iat: now - 3600, nbf: now - 3600, exp: now - 2700 }));
      for (const [what, token] of [["alg none", none], ["tampered", tampered], ["expired", expired]]) {
        const res = await c.request(PROFILE, { headers: { cookie: `pt_access=${token}` } });
        await collect(expectError(res, 401, "unauthorized", `cookie ${what}`));
      }
    });
    console.log(`jwt: ${cases} attack cases`);
  } finally {
    await close();
  }
});
