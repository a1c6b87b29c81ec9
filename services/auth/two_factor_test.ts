import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import type { Db } from "../../db/client.ts";
import { Conflict, Unprocessable } from "../../lib/errors.ts";
import { openTestDb } from "../../tests/helpers/db.ts";
import type { Actor } from "../audit.ts";
import { sha256Hex } from "../../lib/crypto.ts";
import { hashRecoveryCode, normalizeRecoveryCode, upgradeLegacyRecoveryCodes } from "./recovery_codes.ts";
import { deriveTwoFactorKeys } from "./two_factor_keys.ts";
import {
  beginTotpEnrollment,
  confirmTotpEnrollment,
  disableTotp,
  isTotpEnabled,
  regenerateRecoveryCodes,
  verifySecondFactor,
} from "./two_factor.ts";

const KEY = await deriveTwoFactorKeys("two-factor-test-application-secret");
const NOW = new Date("2031-05-06T07:08:09Z");

/** `steps` 30-second steps after NOW. */
const at = (steps: number) => new Date(NOW.getTime() + steps * 30_000);

/** What the user's authenticator app shows at `when`, computed by otpauth (not by the code under test). */
const appCode = (secret: string, when: Date) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: when.getTime() });

/** A different, wrong 6-digit code (never equal to any code in the ±1 window around `when`). */
function wrongCode(secret: string, when: Date): string {
  const valid = new Set([-1, 0, 1].map((d) => appCode(secret, new Date(when.getTime() + d * 30_000))));
  let n = 0;
  while (valid.has(String(n).padStart(6, "0"))) n++;
  return String(n).padStart(6, "0");
}

interface Fixture {
  db: Db;
  user: { id: string; email: string };
  actor: Actor;
}

async function newUser(db: Db): Promise<Fixture> {
  const email = `2fa-${crypto.randomUUID()}@example.com`;
  const [{ id }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${email}, 'x') returning id`;
  return { db, user: { id, email }, actor: { userId: id, ip: "203.0.113.7", userAgent: "test" } };
}

async function withUser(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const db = await openTestDb();
  try {
    await fn(await newUser(db));
  } finally {
    await db.close();
  }
}

/** Enrols and confirms at NOW; the confirming code spends step NOW. */
async function enable(f: Fixture) {
  const { secret } = await beginTotpEnrollment(f.db, KEY, f.user);
  const { recoveryCodes } = await confirmTotpEnrollment(
    f.db,
    KEY,
    f.user.id,
    appCode(secret, NOW),
    f.actor,
    NOW,
  );
  return { secret, recoveryCodes };
}

function verify(f: Fixture, code: string, when: Date) {
  return f.db.tx((tx) => verifySecondFactor(tx, KEY, f.user.id, code, f.actor, when));
}

async function auditActions(f: Fixture): Promise<string[]> {
  const rows = await f.db.sql<{ action: string }[]>`
    select action from audit_log where target_type = 'user' and target_id = ${f.user.id} order by id`;
  return rows.map((r) => r.action);
}

function assertUnprocessableCode(err: unknown): true {
  assert.ok(err instanceof Unprocessable);
  assert.equal(err.status, 422);
  assert.deepEqual(Object.keys(err.fields ?? {}), ["code"]);
  return true;
}

Deno.test("enrol, confirm, verify once, recover once, disable", () =>
  withUser(async (f) => {
    let secret = "";
    let recoveryCodes: string[] = [];

    // Enrolment stores the secret sealed and does not turn 2FA on yet.
    const enrollment = await beginTotpEnrollment(f.db, KEY, f.user);
    secret = enrollment.secret;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match(enrollment.uri, /^otpauth:\/\/totp\/PropTrade%20Pro:2fa-.*secret=[A-Z2-7]{32}/);
    assert.match(enrollment.qrSvgDataUrl, /^data:image\/svg\+xml;base64,/);
    const [row] = await f.db
      .sql`select secret_encrypted, enabled_at from user_totp where user_id = ${f.user.id}`;
    assert.match(
      row.secret_encrypted,
      new RegExp(`^v2\\.${KEY.current.id}\\.`),
      "names the key that sealed it",
    );
    assert.ok(!row.secret_encrypted.includes(secret));
    assert.equal(row.enabled_at, null);
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), false);
    assert.equal(
      await verify(f, appCode(secret, NOW), NOW),
      false,
      "a pending enrolment is not a second factor",
    );

    // A wrong first code is a 422 on `code` and changes nothing.
    await assert.rejects(
      confirmTotpEnrollment(f.db, KEY, f.user.id, wrongCode(secret, NOW), f.actor, NOW),
      assertUnprocessableCode,
    );
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), false);

    // The right one turns 2FA on and hands out ten recovery codes.
    ({ recoveryCodes } = await confirmTotpEnrollment(
      f.db,
      KEY,
      f.user.id,
      appCode(secret, NOW),
      f.actor,
      NOW,
    ));
    assert.equal(recoveryCodes.length, 10);
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), true);
    const [{ count }] = await f.db.sql`
      select count(*)::int as count from recovery_codes where user_id = ${f.user.id} and used_at is null`;
    assert.equal(count, 10);

    // The confirming code is spent; the next step's code works once.
    assert.equal(await verify(f, appCode(secret, NOW), NOW), false, "replay of the confirming code");
    assert.equal(await verify(f, appCode(secret, at(1)), at(1)), true);
    assert.equal(await verify(f, appCode(secret, at(1)), at(1)), false, "replay");
    assert.equal(await verify(f, appCode(secret, at(1)), at(2)), false, "replay, still in the window");
    assert.equal(await verify(f, wrongCode(secret, at(3)), at(3)), false);

    // A recovery code works once, typed in any case and spacing.
    const typed = recoveryCodes[0].toUpperCase().replace("-", " ");
    assert.equal(await verify(f, typed, at(3)), true);
    assert.equal(await verify(f, recoveryCodes[0], at(3)), false, "a recovery code is single-use");
    assert.equal(await verify(f, "aaaaa-aaaaa", at(3)), false);

    // Turning 2FA off needs a valid code.
    await assert.rejects(
      disableTotp(f.db, KEY, f.user.id, wrongCode(secret, at(4)), f.actor, at(4)),
      assertUnprocessableCode,
    );
    await assert.rejects(
      disableTotp(f.db, KEY, f.user.id, recoveryCodes[0], f.actor, at(4)),
      assertUnprocessableCode,
    );
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), true);
    await disableTotp(f.db, KEY, f.user.id, appCode(secret, at(4)), f.actor, at(4));
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), false);
    const left = await f.db.sql`select 1 from recovery_codes where user_id = ${f.user.id}
                                union all select 1 from user_totp where user_id = ${f.user.id}`;
    assert.equal(left.length, 0);
    assert.equal(await verify(f, appCode(secret, at(5)), at(5)), false);
    assert.equal(await verify(f, recoveryCodes[1], at(5)), false);

    assert.deepEqual(await auditActions(f), [
      "auth.2fa_enabled",
      "auth.recovery_code_used",
      "auth.2fa_disabled",
    ]);
    const [used] = await f.db.sql`
      select actor_id, ip, details from audit_log
      where target_id = ${f.user.id} and action = 'auth.recovery_code_used'`;
    assert.deepEqual(used, { actor_id: f.user.id, ip: "203.0.113.7", details: { recoveryCodesLeft: 9 } });
  }));

Deno.test("a code from one step either side is accepted, two steps away is not", () =>
  withUser(async (f) => {
    const { secret } = await enable(f);
    assert.equal(await verify(f, appCode(secret, at(4)), at(5)), true);
    assert.equal(await verify(f, appCode(secret, at(7)), at(6)), true);
    assert.equal(await verify(f, appCode(secret, at(8)), at(10)), false);
  }));

Deno.test("racing requests with one code: only one succeeds", () =>
  withUser(async (f) => {
    const { secret } = await enable(f);
    const code = appCode(secret, at(1));
    const results = await Promise.all(Array.from({ length: 4 }, () => verify(f, code, at(1))));
    assert.deepEqual(results.toSorted(), [false, false, false, true]);
  }));

Deno.test("a step spent in a transaction that rolls back is not spent", () =>
  withUser(async (f) => {
    const { secret } = await enable(f);
    // verifySecondFactor writes in the caller's transaction: a failing action rolls the spend back with it.
    await assert.rejects(
      f.db.tx(async (tx) => {
        assert.equal(
          await verifySecondFactor(tx, KEY, f.user.id, appCode(secret, at(1)), f.actor, at(1)),
          true,
        );
        throw new Error("the action failed");
      }),
      /the action failed/,
    );
    assert.equal(await verify(f, appCode(secret, at(1)), at(1)), true);
    assert.equal(await verify(f, appCode(secret, at(1)), at(1)), false);
  }));

Deno.test("enrolment: restarting replaces the pending secret; 409 once enabled", () =>
  withUser(async (f) => {
    const first = await beginTotpEnrollment(f.db, KEY, f.user);
    const second = await beginTotpEnrollment(f.db, KEY, f.user);
    assert.notEqual(first.secret, second.secret);
    if (appCode(first.secret, NOW) !== appCode(second.secret, NOW)) {
      await assert.rejects(
        confirmTotpEnrollment(f.db, KEY, f.user.id, appCode(first.secret, NOW), f.actor, NOW),
        assertUnprocessableCode,
      );
    }
    await confirmTotpEnrollment(f.db, KEY, f.user.id, appCode(second.secret, NOW), f.actor, NOW);

    await assert.rejects(beginTotpEnrollment(f.db, KEY, f.user), Conflict);
    await assert.rejects(
      confirmTotpEnrollment(f.db, KEY, f.user.id, appCode(second.secret, at(1)), f.actor, at(1)),
      Conflict,
    );
    assert.equal(
      await verify(f, appCode(second.secret, at(1)), at(1)),
      true,
      "the enabled secret is untouched",
    );
  }));

Deno.test("without 2FA: nothing verifies, confirm/disable/regenerate are 409", () =>
  withUser(async (f) => {
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), false);
    assert.equal(await verify(f, "123456", NOW), false);
    await assert.rejects(confirmTotpEnrollment(f.db, KEY, f.user.id, "123456", f.actor, NOW), Conflict);
    await assert.rejects(disableTotp(f.db, KEY, f.user.id, "123456", f.actor, NOW), Conflict);
    await assert.rejects(regenerateRecoveryCodes(f.db, KEY, f.user.id, "123456", f.actor, NOW), Conflict);
  }));

Deno.test("2FA can be turned off with a recovery code (the phone is lost)", () =>
  withUser(async (f) => {
    const { recoveryCodes } = await enable(f);
    await disableTotp(f.db, KEY, f.user.id, recoveryCodes[4], f.actor, at(1));
    assert.equal(await isTotpEnabled(f.db.sql, f.user.id), false);
    assert.deepEqual(await auditActions(f), [
      "auth.2fa_enabled",
      "auth.recovery_code_used",
      "auth.2fa_disabled",
    ]);
  }));

Deno.test("regenerating recovery codes needs a valid code and voids the old set", () =>
  withUser(async (f) => {
    const { secret, recoveryCodes: old } = await enable(f);
    await assert.rejects(
      regenerateRecoveryCodes(f.db, KEY, f.user.id, wrongCode(secret, at(1)), f.actor, at(1)),
      assertUnprocessableCode,
    );
    const { recoveryCodes } = await regenerateRecoveryCodes(
      f.db,
      KEY,
      f.user.id,
      appCode(secret, at(1)),
      f.actor,
      at(1),
    );
    assert.equal(recoveryCodes.length, 10);
    assert.equal(recoveryCodes.filter((c) => old.includes(c)).length, 0);
    assert.equal(await verify(f, old[1], at(2)), false);
    assert.equal(await verify(f, recoveryCodes[1], at(2)), true);
  }));

Deno.test("a sealed secret copied onto another user does not work for them", () =>
  withUser(async (a) => {
    const b = await newUser(a.db);
    const { secret } = await enable(a);
    await beginTotpEnrollment(b.db, KEY, b.user);
    await b.db.sql`
      update user_totp set secret_encrypted = (select secret_encrypted from user_totp where user_id = ${a.user.id})
      where user_id = ${b.user.id}`;
    await assert.rejects(
      confirmTotpEnrollment(b.db, KEY, b.user.id, appCode(secret, at(1)), b.actor, at(1)),
      /does not authenticate/,
    );
  }));

Deno.test("2FA: recovery codes are stored as a keyed hash, useless without the server key", async () => {
  await withUser(async (f) => {
    const { recoveryCodes } = await enable(f);
    const rows = await f.db.sql<{ code_hash: string }[]>`
      select code_hash from recovery_codes where user_id = ${f.user.id}`;
    const plain = new Set(await Promise.all(recoveryCodes.map((c) => sha256Hex(normalizeRecoveryCode(c)!))));
    assert.equal(rows.length, 10);
    for (const { code_hash } of rows) {
      assert.match(code_hash, new RegExp(`^v3:${KEY.current.id}:[0-9a-f]{64}$`));
      assert.ok(
        !plain.has(code_hash.slice(-64)),
        "a plain SHA-256 of a code is what a dump could brute-force",
      );
    }
    // The same code under another application secret matches nothing.
    const otherKeys = await deriveTwoFactorKeys("another-application-secret");
    assert.equal(
      await f.db.tx((tx) => verifySecondFactor(tx, otherKeys, f.user.id, recoveryCodes[0], f.actor, at(1))),
      false,
    );
    assert.equal(await verify(f, recoveryCodes[0], at(1)), true);
  });
});

Deno.test("2FA: recovery codes stored before keyed hashing still work once, and are re-hashed", async () => {
  await withUser(async (f) => {
    const { recoveryCodes } = await enable(f);
    // Put the rows back as the old code stored them: plain SHA-256 of the normalized code.
    for (const code of recoveryCodes) {
      const hash = await sha256Hex(normalizeRecoveryCode(code)!);
      await f.db.sql`update recovery_codes set code_hash = ${hash}
                     where user_id = ${f.user.id} and code_hash = ${await hashRecoveryCode(KEY, code)}`;
    }
    assert.equal(await verify(f, recoveryCodes[0], at(1)), true, "a legacy code is accepted");
    assert.equal(await verify(f, recoveryCodes[0], at(2)), false, "once");
    const rows = await f.db.sql<{ code_hash: string }[]>`
      select code_hash from recovery_codes where user_id = ${f.user.id}`;
    assert.ok(rows.every((r) => r.code_hash.startsWith("v3:")), "every legacy row of the user is re-hashed");
    assert.equal(await verify(f, recoveryCodes[1], at(3)), true, "the others still work after re-hashing");
  });
});

Deno.test("2FA: the start-up sweep re-hashes every legacy recovery code", async () => {
  await withUser(async (f) => {
    const { recoveryCodes } = await enable(f);
    const legacy = await sha256Hex(normalizeRecoveryCode(recoveryCodes[0])!);
    await f.db.sql`update recovery_codes set code_hash = ${legacy}
                   where user_id = ${f.user.id} and code_hash = ${await hashRecoveryCode(
      KEY,
      recoveryCodes[0],
    )}`;
    assert.ok(await upgradeLegacyRecoveryCodes(f.db, KEY) >= 1);
    const [{ n }] = await f.db.sql<{ n: number }[]>`
      select count(*)::int as n from recovery_codes where code_hash !~ '^v3:'`;
    assert.equal(n, 0);
    assert.equal(await verify(f, recoveryCodes[0], at(1)), true);
  });
});
