/**
 * Rotating keys without locking 2FA users out (services/auth/two_factor_keys.ts): JWT_SECRET rotates alone
 * once TWO_FACTOR_KEY is pinned to its old value; TWO_FACTOR_KEY rotates with the old key retired, the start
 * re-sealing the TOTP secrets; a start without the key the data needs is refused, saying which variable.
 */
import assert from "node:assert/strict";
import { appManifest, openTestApp, type TestApp } from "./helpers/app.ts";
import { client, enrolTotp, type SecondFactor, type SignedIn, signUp } from "./helpers/client.ts";
import { createApp, prepareDatabase } from "../fresh.config.ts";
import { ensureSecrets, loadConfig } from "../services/config.ts";
import type { Deps } from "../services/deps.ts";
import { tokenKeys } from "../services/auth/tokens.ts";
import { twoFactorKeysOf } from "../services/auth/two_factor_keys.ts";
import { deviceTokenKey } from "../services/auth/device_tokens.ts";
import { totpCode } from "../services/auth/totp.ts";
import { KeyMismatch } from "../services/key_check.ts";
import { seal } from "../services/auth/secret_box.ts";
import type { FreshApp } from "../lib/app.ts";

const JWT_OLD = "old-jwt-secret-that-leaked-".padEnd(40, "x");
const JWT_NEW = "new-jwt-secret-after-the-leak-".padEnd(40, "y");
const TWO_FACTOR_NEW = "a-two-factor-key-of-its-own-".padEnd(40, "z");

/**
 * A process started on `base`'s database with these variables: the start's database step (check, re-seal)
 * as `deno task start` runs it, then the app.
 */
async function startWith(base: TestApp, env: Record<string, string>): Promise<{ app: FreshApp; deps: Deps }> {
  const config = await ensureSecrets(
    loadConfig({
      APP_ENV: "test",
      DATA_DIR: base.deps.config.dataDir,
      APP_URL: "http://localhost:8000",
      ...env,
    }),
  );
  const deps: Deps = {
    ...base.deps,
    config,
    tokenKeys: tokenKeys(config.jwtSecret, config.appUrl),
    totpKey: await twoFactorKeysOf(config),
    deviceKey: await deviceTokenKey(config.jwtSecret),
  };
  // As production starts (no demo data seeded into the test's schema).
  await prepareDatabase({ ...deps, config: { ...deps.config, env: "production" } });
  return { app: await createApp(deps, { manifest: await appManifest(), dev: false }), deps };
}

/** Signs in with password and second factor; the status. */
async function signIn(app: FreshApp, user: SignedIn, code: string): Promise<number> {
  const res = await client(app).json("POST", "/api/auth/login", {
    email: user.email,
    password: user.password,
    code,
  });
  await res.body?.cancel();
  return res.status;
}

/** The TOTP code of the step `offset` steps from now (each sign-in spends its step: later ones go later). */
const codeAt = (factor: SecondFactor, offset: number) =>
  totpCode(factor.totpSecret, new Date(Date.now() + offset * 30_000));

async function secrets(deps: Deps): Promise<string[]> {
  const rows = await deps.db.sql<{ secret_encrypted: string }[]>`select secret_encrypted from user_totp`;
  return rows.map((r) => r.secret_encrypted);
}

Deno.test("2FA survives a JWT_SECRET rotation and a rotation of its own key; a missing key stops the start", async (t) => {
  const base = await openTestApp();
  try {
    const first = await startWith(base, { JWT_SECRET: JWT_OLD });
    const user = await signUp(first.app);
    const factor = await enrolTotp(first.deps, user.userId, user.email);
    // Stored the way every version before TWO_FACTOR_KEY stored them: under keys derived from JWT_SECRET, the
    // secret in a v1 box and the recovery codes as v2 hashes, neither naming its key.
    await base.deps.db.sql`update user_totp set secret_encrypted =
      ${await seal(
      first.deps.totpKey.current.seal,
      factor.totpSecret,
      user.userId,
    )} where user_id = ${user.userId}`;
    await base.deps.db.sql`update recovery_codes set code_hash = 'v2:' || split_part(code_hash, ':', 3)
      where user_id = ${user.userId}`;
    assert.equal(await signIn(first.app, user, codeAt(factor, -1)), 200);

    await t.step(
      "JWT_SECRET rotated with TWO_FACTOR_KEY pinned to the old one: TOTP and recovery codes work",
      async () => {
        const next = await startWith(base, { JWT_SECRET: JWT_NEW, TWO_FACTOR_KEY: JWT_OLD });
        assert.equal(await signIn(next.app, user, codeAt(factor, 0)), 200);
        assert.equal(await signIn(next.app, user, factor.recoveryCodes[0]), 200);
        // The rotation did end the sessions signed with the leaked secret.
        const me = await client(next.app).json("GET", "/api/users/profile", undefined, {
          bearer: user.accessToken,
        });
        await me.body?.cancel();
        assert.equal(me.status, 401);
      },
    );

    await t.step(
      "TWO_FACTOR_KEY rotated, the old one retired: still works, and the secret is re-sealed",
      async () => {
        const before = await secrets(base.deps);
        const next = await startWith(base, {
          JWT_SECRET: JWT_NEW,
          TWO_FACTOR_KEY: TWO_FACTOR_NEW,
          TWO_FACTOR_KEYS_RETIRED: JWT_OLD,
        });
        const after = await secrets(base.deps);
        assert.notDeepEqual(after, before);
        assert.ok(
          after.every((s) => s.startsWith(`v2.${next.deps.totpKey.current.id}.`)),
          "every TOTP secret names the new key",
        );
        assert.equal(await signIn(next.app, user, codeAt(factor, 1)), 200);
        // A code made under the old key, checked under the ring (a keyed hash cannot be re-keyed without it).
        assert.equal(await signIn(next.app, user, factor.recoveryCodes[1]), 200);
        assert.equal(await signIn(next.app, user, factor.recoveryCodes[1]), 401, "once");
      },
    );

    await t.step(
      "the retired key dropped while recovery codes still need it: the start refuses, naming it",
      async () => {
        await assert.rejects(
          startWith(base, { JWT_SECRET: JWT_NEW, TWO_FACTOR_KEY: TWO_FACTOR_NEW }),
          (error: Error) => {
            assert.ok(error instanceof KeyMismatch, String(error));
            assert.match(error.message, /8 unused recovery code\(s\) of 1 user\(s\)/);
            assert.match(error.message, /TWO_FACTOR_KEYS_RETIRED/);
            return true;
          },
        );
      },
    );

    await t.step("a 2FA key that seals nothing here: the start refuses, naming the variables", async () => {
      await assert.rejects(
        startWith(base, {
          JWT_SECRET: JWT_NEW,
          TWO_FACTOR_KEY: "yet-another-two-factor-key-".padEnd(40, "w"),
        }),
        (error: Error) => {
          assert.ok(error instanceof KeyMismatch, String(error));
          assert.match(error.message, /1 user\(s\) with 2FA have their TOTP secret sealed with a 2FA key/);
          assert.match(error.message, /TWO_FACTOR_KEY/);
          return true;
        },
      );
    });
  } finally {
    await base.close();
  }
});
