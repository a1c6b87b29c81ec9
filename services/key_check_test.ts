import assert from "node:assert/strict";
import { checkDataKeys, KeyMismatch } from "./key_check.ts";
import { deriveTwoFactorKeys } from "./auth/two_factor_keys.ts";
import { seal } from "./auth/secret_box.ts";
import { keyRing } from "./storage/encryption.ts";
import { openTestDb } from "../tests/helpers/db.ts";
import type { Db } from "../db/client.ts";

const SECRET_A = "a".repeat(32) + "-jwt-secret-of-the-backup";
const SECRET_B = "b".repeat(32) + "-jwt-secret-generated-anew";
const KEY_X = "1".repeat(64);
const KEY_Y = "2".repeat(64);

async function newUser(db: Db): Promise<string> {
  const [{ id }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${`keys-${crypto.randomUUID()}@example.test`}, 'x')
    returning id`;
  return id;
}

/** Every check's rows, on a database of its own (the check reads whole tables). */
async function withDb(fn: (db: Db) => Promise<void>): Promise<void> {
  const db = await openTestDb();
  try {
    await db.sql`delete from user_totp`;
    await db.sql`delete from kyc_documents`;
    await fn(db);
  } finally {
    await db.close();
  }
}

Deno.test("a database without sealed rows passes whatever the keys", async () => {
  await withDb(async (db) => {
    await checkDataKeys(db.sql, { totp: await deriveTwoFactorKeys(SECRET_B), kycRing: null });
  });
});

Deno.test("2FA secrets sealed with another JWT_SECRET stop the start, naming it and the users", async () => {
  await withDb(async (db) => {
    const keys = await deriveTwoFactorKeys(SECRET_A);
    for (let i = 0; i < 2; i++) {
      const userId = await newUser(db);
      await db.sql`insert into user_totp (user_id, secret_encrypted)
        values (${userId}, ${await seal(keys.current.seal, "JBSWY3DPEHPK3PXP", userId)})`;
    }
    await checkDataKeys(db.sql, { totp: keys, kycRing: null });
    await assert.rejects(
      checkDataKeys(db.sql, { totp: await deriveTwoFactorKeys(SECRET_B), kycRing: null }),
      (error: Error) => {
        assert.ok(error instanceof KeyMismatch);
        assert.match(error.message, /JWT_SECRET/);
        assert.match(error.message, /\b2 user\(s\) with 2FA/);
        return true;
      },
    );
  });
});

Deno.test("2FA secrets sealed under two secrets are caught whichever one the process has", async () => {
  await withDb(async (db) => {
    const old = await deriveTwoFactorKeys(SECRET_A);
    const current = await deriveTwoFactorKeys(SECRET_B);
    const first = await newUser(db);
    await db.sql`insert into user_totp (user_id, secret_encrypted, created_at)
      values (${first}, ${await seal(
      old.current.seal,
      "JBSWY3DPEHPK3PXP",
      first,
    )}, now() - interval '1 day')`;
    const second = await newUser(db);
    await db.sql`insert into user_totp (user_id, secret_encrypted)
      values (${second}, ${await seal(current.current.seal, "JBSWY3DPEHPK3PXP", second)})`;
    await assert.rejects(checkDataKeys(db.sql, { totp: current, kycRing: null }), KeyMismatch);
    await assert.rejects(checkDataKeys(db.sql, { totp: old, kycRing: null }), KeyMismatch);
  });
});

Deno.test("KYC documents need their key as the current or a retired one", async () => {
  await withDb(async (db) => {
    const totp = await deriveTwoFactorKeys(SECRET_A);
    const x = await keyRing(KEY_X);
    const userId = await newUser(db);
    for (let i = 0; i < 3; i++) {
      await db.sql`insert into kyc_documents (user_id, kind, content_type, storage_key, key_id, size_bytes)
        values (${userId}, 'identity_front', 'image/png', ${`kyc/${userId}/${crypto.randomUUID()}`},
                ${x.current}, 100)`;
    }
    await checkDataKeys(db.sql, { totp, kycRing: x });
    // Rotated, the old key kept as retired: still readable.
    await checkDataKeys(db.sql, { totp, kycRing: await keyRing(KEY_Y, [KEY_X]) });
    for (const kycRing of [await keyRing(KEY_Y), null]) {
      await assert.rejects(checkDataKeys(db.sql, { totp, kycRing }), (error: Error) => {
        assert.ok(error instanceof KeyMismatch);
        assert.match(error.message, /3 KYC document\(s\)/);
        assert.match(error.message, /KYC_ENCRYPTION_KEYS_RETIRED/);
        assert.ok(error.message.includes(x.current), "names the missing key's id");
        return true;
      });
    }
  });
});
