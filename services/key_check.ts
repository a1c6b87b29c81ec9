/**
 * At start, before serving: the keys this process was given can read what the database holds. Two kinds of
 * rows are sealed with keys that live outside the database (README, "Backups"):
 *
 * - 2FA secrets (`user_totp`), with a key derived from `JWT_SECRET`;
 * - KYC documents (`kyc_documents`, their bytes in the object store), with `KYC_ENCRYPTION_KEY` or one of
 *   `KYC_ENCRYPTION_KEYS_RETIRED`; each row names its key's id.
 *
 * A database restored without its secrets (a new `DATA_DIR` generates new ones), a rotation that forgot the
 * retired key, or one replica started with another secret would otherwise serve on: every 2FA user locked out
 * at sign-in, every document failing when staff open it, and nothing saying why. So the start stops, saying
 * which variable, how many rows and what to do.
 */
import type { Sql } from "../db/client.ts";
import { open } from "./auth/secret_box.ts";
import type { TwoFactorKeys } from "./auth/two_factor_keys.ts";
import type { KeyRing } from "./storage/encryption.ts";

/** The keys do not open the data; the message says which and what to do. */
export class KeyMismatch extends Error {
  override name = "KeyMismatch";
}

/**
 * Throws {@link KeyMismatch} when `keys` cannot read the database's sealed rows: the oldest and the newest 2FA
 * secret are opened (one key seals them all, so a secret changed in between shows at one end), and every KYC
 * document's key id must be in the ring. `kycRing` null: no KYC key configured.
 */
export async function checkDataKeys(
  sql: Sql,
  keys: { totp: TwoFactorKeys; kycRing: KeyRing | null },
): Promise<void> {
  const problems = [...await totpProblems(sql, keys.totp), ...await kycProblems(sql, keys.kycRing)];
  if (problems.length) {
    throw new KeyMismatch(
      `The keys this process was given cannot read data in this database:\n${
        problems.map((p) => `  - ${p}`).join("\n")
      }`,
    );
  }
}

async function totpProblems(sql: Sql, keys: TwoFactorKeys): Promise<string[]> {
  const rows = await sql<{ user_id: string; secret_encrypted: string; total: number }[]>`
    (select user_id, secret_encrypted, (select count(*)::int from user_totp) as total
     from user_totp order by created_at, user_id limit 1)
    union all
    (select user_id, secret_encrypted, 0 from user_totp order by created_at desc, user_id desc limit 1)`;
  for (const row of rows) {
    try {
      await open(keys.seal, row.secret_encrypted, row.user_id);
    } catch {
      return [
        `JWT_SECRET is not the secret the 2FA secrets were sealed with (${
          rows[0].total
        } user(s) with 2FA could not sign in). Start with the JWT_SECRET in use when they enrolled (outside production: the DATA_DIR/secrets.json that belongs to this database).`,
      ];
    }
  }
  return [];
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
