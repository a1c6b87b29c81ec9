/**
 * At start, before serving: the keys this process was given can read what the database holds. Two kinds of
 * rows are sealed with keys that live outside the database (README, "Backups"):
 *
 * - 2FA secrets (`user_totp`) and recovery codes (`recovery_codes`), with `TWO_FACTOR_KEY` (default
 *   `JWT_SECRET`) or one of `TWO_FACTOR_KEYS_RETIRED`; each names its key's id, except rows from before ids;
 * - KYC documents (`kyc_documents`, their bytes in the object store), with `KYC_ENCRYPTION_KEY` or one of
 *   `KYC_ENCRYPTION_KEYS_RETIRED`; each row names its key's id.
 *
 * A database restored without its secrets (a new `DATA_DIR` generates new ones), a rotation that forgot the
 * retired key, or one replica started with another secret would otherwise serve on: every 2FA user locked out
 * at sign-in, every document failing when staff open it, and nothing saying why. So the start stops, saying
 * which variable, how many rows and what to do.
 */
import type { Sql } from "../db/client.ts";
import { openTotpSecret, type TwoFactorKeys } from "./auth/two_factor_keys.ts";
import { RECOVERY_HASH_KEY_ID_SQL } from "./auth/recovery_codes.ts";
import type { KeyRing } from "./storage/encryption.ts";

/** The keys do not open the data; the message says which and what to do. */
export class KeyMismatch extends Error {
  override name = "KeyMismatch";
  constructor(readonly problems: string[]) {
    super(
      `The keys this process was given cannot read data in this database:\n${
        problems.map((p) => `  - ${p}`).join("\n")
      }`,
    );
  }
}

/**
 * Throws {@link KeyMismatch} when `keys` cannot read the database's sealed rows: every 2FA secret and unused
 * recovery code that names its key must name one of the ring; of the 2FA secrets from before key ids, the
 * oldest and the newest must open with a key of the ring (one key sealed them all, so a secret changed in
 * between shows at one end); every KYC document's key id must be in the KYC ring. `kycRing` null: no KYC key
 * configured.
 */
export async function checkDataKeys(
  sql: Sql,
  keys: { totp: TwoFactorKeys; kycRing: KeyRing | null },
): Promise<void> {
  const problems = [...await totpProblems(sql, keys.totp), ...await kycProblems(sql, keys.kycRing)];
  if (problems.length) throw new KeyMismatch(problems);
}

// What an operator does about a missing 2FA key, whichever rows need it.
const TWO_FACTOR_REMEDY =
  "Start with the TWO_FACTOR_KEY in use when they were written (it defaults to JWT_SECRET: after rotating JWT_SECRET, set TWO_FACTOR_KEY to the previous JWT_SECRET), or list that key in TWO_FACTOR_KEYS_RETIRED after rotating it; after a restore, use the keys that came with the backup (outside production: its DATA_DIR/secrets.json).";

async function totpProblems(sql: Sql, keys: TwoFactorKeys): Promise<string[]> {
  const known = keys.all.map((k) => k.id);
  const [named] = await sql<{ users: number; ids: string[] | null }[]>`
    select count(*)::int as users, array_agg(distinct split_part(secret_encrypted, '.', 2)) as ids
    from user_totp
    where secret_encrypted like 'v2.%' and split_part(secret_encrypted, '.', 2) <> all(${known}::text[])`;
  const [codes] = await sql<{ codes: number; users: number; ids: string[] | null }[]>`
    select count(*)::int as codes, count(distinct user_id)::int as users, array_agg(distinct key_id) as ids
    from (select user_id, ${sql.unsafe(RECOVERY_HASH_KEY_ID_SQL)} as key_id
          from recovery_codes where used_at is null) c
    where key_id is not null and key_id <> all(${known}::text[])`;
  const problems: string[] = [];
  if (named.users) {
    problems.push(
      `${named.users} user(s) with 2FA have their TOTP secret sealed with a 2FA key that is neither TWO_FACTOR_KEY nor in TWO_FACTOR_KEYS_RETIRED (key id(s) ${
        named.ids!.join(", ")
      }): they could not sign in. ${TWO_FACTOR_REMEDY}`,
    );
  }
  if (codes.codes) {
    problems.push(
      `${codes.codes} unused recovery code(s) of ${codes.users} user(s) were hashed with a 2FA key that is neither TWO_FACTOR_KEY nor in TWO_FACTOR_KEYS_RETIRED (key id(s) ${
        codes.ids!.join(", ")
      }). A recovery code cannot be re-hashed without the code: keep that key retired until these are used or replaced. ${TWO_FACTOR_REMEDY}`,
    );
  }
  const legacy = await legacyTotpProblem(sql, keys);
  return legacy ? [legacy, ...problems] : problems;
}

/** 2FA secrets sealed before key ids (`v1.…`): the oldest and the newest must open with a key of the ring. */
async function legacyTotpProblem(sql: Sql, keys: TwoFactorKeys): Promise<string | null> {
  const rows = await sql<{ user_id: string; secret_encrypted: string; total: number }[]>`
    (select user_id, secret_encrypted, (select count(*)::int from user_totp where secret_encrypted like 'v1.%') as total
     from user_totp where secret_encrypted like 'v1.%' order by created_at, user_id limit 1)
    union all
    (select user_id, secret_encrypted, 0 from user_totp where secret_encrypted like 'v1.%'
     order by created_at desc, user_id desc limit 1)`;
  for (const row of rows) {
    try {
      await openTotpSecret(keys, row.secret_encrypted, row.user_id);
    } catch {
      return `No 2FA key opens the TOTP secrets sealed before key ids (${
        rows[0].total
      } user(s) with 2FA could not sign in): neither TWO_FACTOR_KEY nor TWO_FACTOR_KEYS_RETIRED is the key they were sealed with. ${TWO_FACTOR_REMEDY}`;
    }
  }
  return null;
}

async function kycProblems(sql: Sql, ring: KeyRing | null): Promise<string[]> {
  const rows = await sql<{ key_id: string; documents: number }[]>`
    select key_id, count(*)::int as documents from kyc_documents group by key_id order by key_id`;
  const unknown = rows.filter((r) => !ring?.keys.has(r.key_id));
  if (!unknown.length) return [];
  const documents = unknown.reduce((n, r) => n + r.documents, 0);
  return [
    `${documents} KYC document(s) were encrypted with a key that is neither KYC_ENCRYPTION_KEY nor in KYC_ENCRYPTION_KEYS_RETIRED (key id(s) ${
      unknown.map((r) => r.key_id).join(", ")
    }). After a rotation, list the old key in KYC_ENCRYPTION_KEYS_RETIRED; after a restore, use the keys that came with the backup (outside production: its DATA_DIR/secrets.json).`,
  ];
}
