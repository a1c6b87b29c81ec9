/**
 * The keys of two-factor authentication, as a ring like the KYC keys' (services/storage/encryption.ts): the
 * current key seals new TOTP secrets and hashes new recovery codes; retired keys only read what was written
 * before a rotation. A database dump alone yields neither working TOTP secrets nor a way to test recovery
 * codes offline.
 *
 * Each key is a secret string (`TWO_FACTOR_KEY`, `TWO_FACTOR_KEYS_RETIRED`), from which two keys derive by
 * HKDF: AES-GCM for the TOTP secrets, HMAC for the recovery codes. `TWO_FACTOR_KEY` defaults to `JWT_SECRET`,
 * which gives exactly the keys of the versions before it had a variable of its own: existing deployments keep
 * working unchanged, and pinning it to the old value is what lets `JWT_SECRET` rotate alone.
 *
 * Every key has an id (a keyed fingerprint of the secret, which reveals nothing of it). A TOTP secret is
 * sealed as `v2.<keyId>.…` (secret_box.ts) and a recovery code hash is `v3:<keyId>:<hex>`, so what each key
 * still protects is a `group by` away (services/key_check.ts) and re-sealing picks its rows by SQL
 * (two_factor_reseal.ts). Rows from before ids (`v1.…` boxes, `v2:` hashes) are tried with every key.
 */
import { toHex } from "../../lib/crypto.ts";
import { boxKeyId, deriveKey, deriveMacKey, open, seal } from "./secret_box.ts";

/** One 2FA key: its id and the two keys derived from its secret. */
export interface TwoFactorKey {
  /** 16 hex digits naming the key in sealed values. */
  id: string;
  /** AES-GCM: seals the TOTP shared secrets at rest (`secret_box.ts`). */
  seal: CryptoKey;
  /** HMAC-SHA-256: keys the stored hash of each recovery code (`recovery_codes.ts`). */
  recoveryCodes: CryptoKey;
}

/** The ring: `current` writes, every key (current first) reads. */
export interface TwoFactorKeys {
  current: TwoFactorKey;
  /** Current first, then the retired keys in the order configured. */
  all: readonly TwoFactorKey[];
}

/** Thrown when a sealed TOTP secret opens with no key of the ring. */
export class TwoFactorKeyMissing extends Error {
  override name = "TwoFactorKeyMissing";
}

/**
 * Derives the ring from the current secret and the retired ones.
 *
 * @example
 * const keys = await deriveTwoFactorKeys(config.twoFactorKey, config.twoFactorKeysRetired);
 */
export async function deriveTwoFactorKeys(
  current: string,
  retired: readonly string[] = [],
): Promise<TwoFactorKeys> {
  const all: TwoFactorKey[] = [];
  for (const secret of [current, ...retired]) {
    const key = await deriveOne(secret);
    if (!all.some((k) => k.id === key.id)) all.push(key);
  }
  return { current: all[0], all };
}

/** The ring a configuration names: `TWO_FACTOR_KEY` (default `JWT_SECRET`) and `TWO_FACTOR_KEYS_RETIRED`. */
export async function twoFactorKeysOf(
  config: { jwtSecret: string; twoFactorKey: string | undefined; twoFactorKeysRetired: readonly string[] },
): Promise<TwoFactorKeys> {
  return await deriveTwoFactorKeys(config.twoFactorKey ?? config.jwtSecret, config.twoFactorKeysRetired);
}

async function deriveOne(secret: string): Promise<TwoFactorKey> {
  const fingerprint = await deriveMacKey(secret, "2fa-key-id");
  const mac = await crypto.subtle.sign("HMAC", fingerprint, new TextEncoder().encode("proptrade 2fa key id"));
  return {
    id: toHex(new Uint8Array(mac).subarray(0, 8)),
    // The purposes of the keys before the ring: the same secret gives the same keys, so old rows still open.
    seal: await deriveKey(secret, "totp-secrets"),
    recoveryCodes: await deriveMacKey(secret, "recovery-codes"),
  };
}

/** Seals a TOTP secret under the current key, bound to its user (`v2.<keyId>.…`). */
export async function sealTotpSecret(keys: TwoFactorKeys, secret: string, userId: string): Promise<string> {
  return await seal(keys.current.seal, secret, userId, keys.current.id);
}

/**
 * Opens a sealed TOTP secret with the key it names, or (an old `v1` box) with whichever key of the ring
 * opens it. Returns the secret and the key that opened it; throws {@link TwoFactorKeyMissing} when the key it
 * names is not in the ring or no key opens an old box, and secret_box's error when its key does not open it.
 */
export async function openTotpSecret(
  keys: TwoFactorKeys,
  sealed: string,
  userId: string,
): Promise<{ secret: string; key: TwoFactorKey }> {
  const named = boxKeyId(sealed);
  if (named !== null) {
    const key = keys.all.find((k) => k.id === named);
    if (!key) {
      throw new TwoFactorKeyMissing(
        `the TOTP secret was sealed with 2FA key ${named}, which is not configured`,
      );
    }
    // A known key that does not open it: tampered, or copied from another user; open() says so.
    return { secret: await open(key.seal, sealed, userId), key };
  }
  for (const key of keys.all) {
    try {
      return { secret: await open(key.seal, sealed, userId), key };
    } catch {
      // The next key: a v1 box from before the ring may be under any of them.
    }
  }
  throw new TwoFactorKeyMissing("no 2FA key opens this TOTP secret (or it is not this user's)");
}
