/**
 * After the 2FA key rotates (`TWO_FACTOR_KEY` new, the old one in `TWO_FACTOR_KEYS_RETIRED`), every start
 * re-seals the TOTP secrets still under a retired key with the current one, so the retired key is needed
 * only until the first start with the new one — for TOTP secrets. Recovery codes cannot follow (a keyed hash
 * cannot be moved without the code, recovery_codes.ts): they keep verifying under the retired key until used
 * or replaced, and services/key_check.ts refuses a start that dropped a key they still need.
 *
 * Why at start and not a command to remember: the start already refuses keys that cannot read the data, so
 * the step after it is where the data is known to be readable, and an operator who rotated has nothing else
 * to run. A cluster starts several processes at once: the pass runs in one transaction under an advisory
 * lock, so they take turns and the later ones find nothing left. Rows are not locked (a sign-in meanwhile
 * must not wait on the pass): each is rewritten only from the value it was read with, so an enrolment that
 * replaced it meanwhile wins.
 *
 * A secret sealed before key ids (`v1.…`) that the current key opens is left as it is: a process of an older
 * version still serving during a rolling upgrade reads only that form. Its recovery codes are labelled with
 * their key when it is re-sealed (the key that opened the secret made them).
 */
import type { Db } from "../../db/client.ts";
import { boxKeyId } from "./secret_box.ts";
import { labelRecoveryCodeHashes } from "./recovery_codes.ts";
import { openTotpSecret, sealTotpSecret, type TwoFactorKeys } from "./two_factor_keys.ts";

/** First half of the re-seal's advisory-lock key ("PR2F"); the second is the schema. */
const RESEAL_LOCK = 0x50523246;

/**
 * Re-seals, under the current key, every TOTP secret that is not already under it. Returns how many were
 * re-sealed. A secret no key opens is left alone (the key check at start has refused that already).
 */
export async function resealTwoFactorSecrets(db: Db, keys: TwoFactorKeys): Promise<number> {
  return await db.tx(async (tx) => {
    await tx`select pg_advisory_xact_lock(${RESEAL_LOCK}::int, hashtext(current_schema()))`;
    const rows = await tx<{ user_id: string; secret_encrypted: string }[]>`
      select user_id, secret_encrypted from user_totp
      where secret_encrypted not like ${`v2.${keys.current.id}.%`}`;
    let resealed = 0;
    for (const row of rows) {
      let opened;
      try {
        opened = await openTotpSecret(keys, row.secret_encrypted, row.user_id);
      } catch {
        continue;
      }
      const legacy = boxKeyId(row.secret_encrypted) === null;
      if (legacy && opened.key.id === keys.current.id) continue;
      await tx`
        update user_totp set secret_encrypted = ${await sealTotpSecret(keys, opened.secret, row.user_id)}
        where user_id = ${row.user_id} and secret_encrypted = ${row.secret_encrypted}`;
      if (legacy) await labelRecoveryCodeHashes(tx, row.user_id, opened.key.id);
      resealed++;
    }
    return resealed;
  });
}
