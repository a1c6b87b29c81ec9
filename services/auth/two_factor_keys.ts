import { deriveKey, deriveMacKey } from "./secret_box.ts";

/**
 * The keys of two-factor authentication, both derived from the application secret (`JWT_SECRET`) so that a
 * database dump alone yields neither working TOTP secrets nor a way to test recovery codes offline.
 */
export interface TwoFactorKeys {
  /** AES-GCM: seals the TOTP shared secrets at rest (`secret_box.ts`). */
  seal: CryptoKey;
  /** HMAC-SHA-256: keys the stored hash of each recovery code (`recovery_codes.ts`). */
  recoveryCodes: CryptoKey;
}

/** Derives both keys from the application secret (one HKDF purpose each). */
export async function deriveTwoFactorKeys(appSecret: string): Promise<TwoFactorKeys> {
  return {
    seal: await deriveKey(appSecret, "totp-secrets"),
    recoveryCodes: await deriveMacKey(appSecret, "recovery-codes"),
  };
}
