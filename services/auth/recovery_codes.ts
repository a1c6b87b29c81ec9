/**
 * One-time recovery codes: the way back in when the authenticator app is lost.
 *
 * A code is 10 symbols of lowercase Crockford base32 shown as `xxxxx-xxxxx` (50 random bits). The alphabet
 * leaves out `i`, `l`, `o` and `u`, and input is read the Crockford way (`i`/`l` → `1`, `o` → `0`, any case,
 * spaces and dashes ignored), so a code copied from paper by hand still works.
 *
 * Only a keyed hash of the normalized code is stored: `v3:<keyId>:` + hex HMAC-SHA-256, under the current
 * 2FA key (two_factor_keys.ts), of the code's SHA-256. No per-user salt: the hash is looked up by value. The
 * key is what matters: 50 random bits are within reach of an offline search of a plain hash taken from a
 * database dump, but not without the key. (A code is also useless without the password.)
 *
 * A keyed hash cannot be moved to another key without the code, so after a rotation a code is checked against
 * its hash under every key of the ring: an unused code made under a retired key needs that key until it is
 * used or the user makes new codes (services/key_check.ts counts them). `v2:` + hex is the same hash from
 * before key ids; two_factor_reseal.ts labels it with its key when it re-seals that user's TOTP secret.
 *
 * Rows written before keyed hashing hold the plain SHA-256 (64 hex digits, no prefix). HMAC is taken *of that
 * SHA-256*, so such a row is upgraded without knowing the code: {@link upgradeLegacyRecoveryCodes} runs at
 * start-up for every row, and a code check upgrades its user's rows first, so a legacy code keeps working.
 */
import type { Sql } from "../../db/client.ts";
import { sha256Hex, toHex } from "../../lib/crypto.ts";
import type { TwoFactorKey, TwoFactorKeys } from "./two_factor_keys.ts";

/** The prefix of a keyed hash that names its key: `v3:<keyId>:<hex>`. */
const NAMED = "v3:";
/** The prefix of a keyed hash from before key ids; a legacy (plain SHA-256) hash has no prefix. */
const KEYED = "v2:";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUP = 5;
const LENGTH = 2 * GROUP;
const CANONICAL = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/**
 * `n` distinct fresh codes, e.g. `["7kq2m-xh0rd", …]`. Show them once; store only {@link hashRecoveryCode}.
 */
export function newRecoveryCodes(n = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < n) codes.add(newCode());
  return [...codes];
}

function newCode(): string {
  // 32 symbols = 5 bits: the low 5 bits of a uniformly random byte pick one without bias.
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  const symbols = Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
  return `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}`;
}

/**
 * The canonical form of a typed code (`"7KQ2M XH0RD"` → `"7kq2mxh0rd"`), or `null` when it cannot be a
 * recovery code at all (so a 6-digit TOTP code is never mistaken for one).
 */
export function normalizeRecoveryCode(code: string): string | null {
  const normalized = code.toLowerCase().replace(/[\s-]+/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
  return CANONICAL.test(normalized) ? normalized : null;
}

/**
 * The stored hash of a code under the current key (`v3:<keyId>:` + keyed hash of its normalized form), or
 * `null` when it is not a code.
 */
export async function hashRecoveryCode(keys: TwoFactorKeys, code: string): Promise<string | null> {
  const normalized = normalizeRecoveryCode(code);
  return normalized === null ? null : await keyedHash(keys.current, await sha256Hex(normalized));
}

/**
 * Every form a stored hash of `code` can have under the ring (`v3:<id>:` and the unlabelled `v2:`, per key),
 * to look it up by value; empty when it is not a code.
 */
export async function recoveryCodeHashes(keys: TwoFactorKeys, code: string): Promise<string[]> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized === null) return [];
  const sha256 = await sha256Hex(normalized);
  const hashes: string[] = [];
  for (const key of keys.all) {
    const named = await keyedHash(key, sha256);
    hashes.push(named, KEYED + named.slice(NAMED.length + key.id.length + 1));
  }
  return hashes;
}

async function keyedHash(key: TwoFactorKey, sha256: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key.recoveryCodes, new TextEncoder().encode(sha256));
  return `${NAMED}${key.id}:${toHex(new Uint8Array(mac))}`;
}

/**
 * Replaces legacy plain SHA-256 hashes by keyed ones: every row, or only `userId`'s. Returns how many rows
 * changed. Safe to run at any time and from several processes (a row is only rewritten from its legacy form).
 */
export async function upgradeLegacyRecoveryCodes(
  db: { sql: Sql },
  keys: TwoFactorKeys,
  userId?: string,
): Promise<number> {
  const sql = db.sql;
  const legacy = userId === undefined
    ? await sql<{ id: string; code_hash: string }[]>`
        select id, code_hash from recovery_codes where code_hash ~ '^[0-9a-f]{64}$'`
    : await sql<{ id: string; code_hash: string }[]>`
        select id, code_hash from recovery_codes
        where user_id = ${userId} and code_hash ~ '^[0-9a-f]{64}$'`;
  let changed = 0;
  for (const row of legacy) {
    const rows = await sql`
      update recovery_codes set code_hash = ${await keyedHash(keys.current, row.code_hash)}
      where id = ${row.id} and code_hash = ${row.code_hash}
      returning id`;
    changed += rows.length;
  }
  return changed;
}

/**
 * Names the key of a user's `v2:` hashes (from before key ids) once it is known: the key that opened the
 * user's TOTP secret, which hashed the codes made with it. Same hash, now `v3:<keyId>:`; returns the count.
 */
export async function labelRecoveryCodeHashes(sql: Sql, userId: string, keyId: string): Promise<number> {
  const rows = await sql`
    update recovery_codes set code_hash = ${`${NAMED}${keyId}:`} || substr(code_hash, ${KEYED.length + 1})
    where user_id = ${userId} and code_hash like ${KEYED + "%"}
    returning id`;
  return rows.length;
}

/** The key id a stored hash names, as SQL over `code_hash` (null for unlabelled and legacy hashes). */
export const RECOVERY_HASH_KEY_ID_SQL =
  `case when code_hash like '${NAMED}%' then split_part(code_hash, ':', 2) end`;
