/**
 * Authenticated encryption for small secrets kept in the database (TOTP shared secrets), so that a dump of the
 * database alone cannot mint codes.
 *
 * Keys are derived from one application secret with HKDF-SHA-256, one key per `purpose`: the same application
 * secret signs JWTs, and a separate derived key means neither use can ever be turned against the other.
 *
 * Sealed formats (base64url, no padding):
 * - `v1.<iv>.<ciphertext+tag>`: sealed under one key the reader must know (short-lived tokens, and 2FA
 *   secrets sealed before keys had ids);
 * - `v2.<keyId>.<iv>.<ciphertext+tag>`: names the key that sealed it, so a reader holding several keys (a
 *   rotation, services/auth/two_factor_keys.ts) opens it with the right one and the start can count what each
 *   key still seals without decrypting anything.
 * The version (and the key id) is bound as additional data, so a box cannot be relabelled.
 */

import { fromBase64Url, toBase64Url } from "../../lib/crypto.ts";

const V1 = "v1";
const V2 = "v2";
/** A key id: what `v2` boxes carry (hex or base64url, never a dot). */
const KEY_ID = /^[0-9A-Za-z_-]{1,64}$/;

// A fixed, public salt: HKDF's salt only needs to be independent of the input key, not secret. Changing it
// changes every derived key, so it is part of the format.
const HKDF_SALT = new TextEncoder().encode("proptrade/secret_box/v1");

// 96-bit nonces are what GCM is specified for; random ones are safe far beyond the number of secrets we seal.
const IV_BYTES = 12;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Derives the AES-GCM-256 key for `purpose` from the application secret (non-extractable).
 *
 * @example
 * const key = await deriveKey(config.jwtSecret, "totp-secret");
 */
export async function deriveKey(secret: string, purpose: string): Promise<CryptoKey> {
  return await hkdf(secret, purpose, { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);
}

/**
 * Derives an HMAC-SHA-256 key for `purpose` from the application secret (non-extractable), by the same HKDF as
 * {@link deriveKey}: for values looked up by a keyed hash (recovery codes, sign only) or tokens the app signs
 * and later checks (device tokens, sign and verify).
 */
export async function deriveMacKey(
  secret: string,
  purpose: string,
  usages: KeyUsage[] = ["sign"],
): Promise<CryptoKey> {
  return await hkdf(secret, purpose, { name: "HMAC", hash: "SHA-256", length: 256 }, usages);
}

async function hkdf(
  secret: string,
  purpose: string,
  algorithm: AesKeyGenParams | HmacKeyGenParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  if (secret.length === 0) throw new Error("secret_box: the secret is empty");
  if (purpose.length === 0) throw new Error("secret_box: the purpose is empty");
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: encoder.encode(purpose) },
    base,
    algorithm,
    false,
    usages,
  );
}

/**
 * Encrypts `plaintext` under `key` with a fresh random IV: sealing the same text twice gives different boxes.
 *
 * `context` (optional) is authenticated but not stored: the box opens only with the same context. Binding a
 * row's owner (e.g. the user id) stops a box from being copied onto another row.
 *
 * `keyId` (optional) makes a `v2` box that names its key ({@link boxKeyId} reads it back).
 *
 * @example
 * const sealed = await seal(key, secret, userId); // "v1.…"
 * const named = await seal(key, secret, userId, "3f9a…"); // "v2.3f9a….…"
 */
export async function seal(key: CryptoKey, plaintext: string, context = "", keyId?: string): Promise<string> {
  if (keyId !== undefined && !KEY_ID.test(keyId)) {
    throw new Error("secret_box: a key id is 1-64 of [0-9A-Za-z_-]");
  }
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(context, keyId) },
    key,
    encoder.encode(plaintext),
  );
  const box = [toBase64Url(iv), toBase64Url(new Uint8Array(ciphertext))];
  return (keyId === undefined ? [V1, ...box] : [V2, keyId, ...box]).join(".");
}

/** The key id a `v2` box names; `null` for a `v1` box (which names none). Throws on anything else. */
export function boxKeyId(sealed: string): string | null {
  const parts = sealed.split(".");
  if (parts.length === 3 && parts[0] === V1) return null;
  if (parts.length === 4 && parts[0] === V2 && KEY_ID.test(parts[1])) return parts[1];
  throw new Error(`secret_box: expected "${V1}.<iv>.<ciphertext>" or "${V2}.<keyId>.<iv>.<ciphertext>"`);
}

/**
 * Decrypts a box made by {@link seal} with the same key and context. Throws on any tampering, a wrong key or
 * context, or a malformed box: a secret that does not authenticate must never be used.
 */
export async function open(key: CryptoKey, sealed: string, context = ""): Promise<string> {
  const keyId = boxKeyId(sealed) ?? undefined;
  const parts = sealed.split(".").slice(keyId === undefined ? 1 : 2);
  const iv = fromBase64Url(parts[0]);
  const ciphertext = fromBase64Url(parts[1]);
  // 16 bytes is the GCM tag alone (empty plaintext).
  if (iv?.length !== IV_BYTES || !ciphertext || ciphertext.length < 16) {
    throw new Error("secret_box: malformed box");
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(context, keyId) },
      key,
      ciphertext,
    );
  } catch {
    throw new Error("secret_box: the box does not authenticate (wrong key or context, or tampered)");
  }
  return decoder.decode(plaintext);
}

function additionalData(context: string, keyId?: string): Uint8Array<ArrayBuffer> {
  // The NUL separates version, key id and context unambiguously (none contains one in practice; a clash would
  // need a version string that ends in the start of another's context). v1 keeps its exact bytes.
  return encoder.encode(keyId === undefined ? `${V1}\0${context}` : `${V2}\0${keyId}\0${context}`);
}
