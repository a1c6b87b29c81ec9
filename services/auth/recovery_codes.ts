/**
 * One-time recovery codes: the way back in when the authenticator app is lost.
 *
 * A code is 10 symbols of lowercase Crockford base32 shown as `xxxxx-xxxxx` (50 random bits). The alphabet
 * leaves out `i`, `l`, `o` and `u`, and input is read the Crockford way (`i`/`l` → `1`, `o` → `0`, any case,
 * spaces and dashes ignored), so a code copied from paper by hand still works.
 *
 * Only a keyed hash of the normalized code is stored: `v2:` + hex HMAC-SHA-256, under a key derived from the
 * application secret, of the code's SHA-256. No per-user salt: the hash is looked up by value. The key is
 * what matters: 50 random bits are within reach of an offline search of a plain hash taken from a database
 * dump, but not without the key. (A code is also useless without the password.)
 *
 * Rows written before keyed hashing hold the plain SHA-256 (64 hex digits, no prefix). HMAC is taken *of that
 * SHA-256*, so such a row is upgraded without knowing the code: {@link upgradeLegacyRecoveryCodes} runs at
 * start-up for every row, and a code check upgrades its user's rows first, so a legacy code keeps working.
 */
import type { Sql } from "../../db/client.ts";
import { sha256Hex, toHex } from "../../lib/crypto.ts";
import type { TwoFactorKeys } from "./two_factor_keys.ts";

/** The prefix of a keyed hash; a legacy (plain SHA-256) hash has none. */
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

/** The stored hash of a code (`v2:` + keyed hash of its normalized form), or `null` when it is not a code. */
export async function hashRecoveryCode(keys: TwoFactorKeys, code: string): Promise<string | null> {
  const normalized = normalizeRecoveryCode(code);
  return normalized === null ? null : await keyedHash(keys, await sha256Hex(normalized));
}

async function keyedHash(keys: TwoFactorKeys, sha256: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", keys.recoveryCodes, new TextEncoder().encode(sha256));
  return KEYED + toHex(new Uint8Array(mac));
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
        select id, code_hash from recovery_codes where code_hash not like ${KEYED + "%"}`
    : await sql<{ id: string; code_hash: string }[]>`
        select id, code_hash from recovery_codes
        where user_id = ${userId} and code_hash not like ${KEYED + "%"}`;
  let changed = 0;
  for (const row of legacy) {
    const rows = await sql`
      update recovery_codes set code_hash = ${await keyedHash(keys, row.code_hash)}
      where id = ${row.id} and code_hash = ${row.code_hash}
      returning id`;
    changed += rows.length;
  }
  return changed;
}
