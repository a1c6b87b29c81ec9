/**
 * Device tokens (OWASP "device cookies"): proof that a client signed in to an account before, so that it can
 * sign in on its own rate budget while strangers guessing the password have spent the account's budget for
 * unknown clients (services/rate_limit/rules.ts). Browsers keep the token in an HttpOnly cookie; API clients
 * get it in the login answer and send it back as `deviceToken`.
 *
 * Format: `v1.<user id>.<issued at, unix seconds>.<nonce>.<HMAC-SHA-256>` (base64url). The MAC covers
 * everything before it, under a key derived from the application secret for this purpose alone, so a token
 * cannot be forged, moved to another account or made younger. The user id (not the email) is bound so that an
 * email change keeps the owner's devices. The nonce names the device: its budget is counted per nonce.
 * Nothing is stored: a token is good until it expires.
 */

import { fromBase64Url, toBase64Url } from "../../lib/crypto.ts";
import { deriveMacKey } from "./secret_box.ts";
import { isUuid } from "../../lib/validation.ts";

/** How long a device stays known after its last successful sign-in (each success issues a fresh token). */
export const DEVICE_TOKEN_SECONDS = 180 * 86_400;

const VERSION = "v1";
const NONCE_BYTES = 16;
// A little slack for clocks of several instances; a token "from the future" beyond it is refused.
const CLOCK_SKEW_SECONDS = 60;
const encoder = new TextEncoder();

/**
 * The HMAC-SHA-256 key for device tokens, derived from the application secret for this purpose alone (see
 * secret_box.ts), so that it can never be turned into a JWT or a sealed secret.
 */
export async function deviceTokenKey(secret: string): Promise<CryptoKey> {
  return await deriveMacKey(secret, "device-tokens", ["sign", "verify"]);
}

/** A fresh token for `userId`, issued at a successful sign-in. */
export async function issueDeviceToken(key: CryptoKey, userId: string, now = new Date()): Promise<string> {
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
  const body = [VERSION, userId, Math.floor(now.getTime() / 1000), nonce].join(".");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `${body}.${toBase64Url(mac)}`;
}

/**
 * The device's id (its nonce) when `token` is a genuine, unexpired token issued for `userId`; otherwise
 * `null` — forged, tampered, expired, for another account or not a token at all: an unknown client.
 */
export async function deviceOf(
  key: CryptoKey,
  token: string | null | undefined,
  userId: string,
  now = new Date(),
): Promise<string | null> {
  const parts = token?.split(".") ?? [];
  if (parts.length !== 5) return null;
  const [version, tokenUser, issuedAt, nonce, mac] = parts;
  if (version !== VERSION || tokenUser !== userId || !isUuid(tokenUser)) return null;
  if (!/^\d{1,12}$/.test(issuedAt) || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) return null;
  const age = now.getTime() / 1000 - Number(issuedAt);
  if (age > DEVICE_TOKEN_SECONDS || age < -CLOCK_SKEW_SECONDS) return null;
  const signature = fromBase64Url(mac);
  if (signature?.length !== 32) return null;
  // `verify` compares in constant time; the body is re-joined from the parts the MAC was made over.
  const body = encoder.encode(parts.slice(0, 4).join("."));
  return await crypto.subtle.verify("HMAC", key, signature, body) ? nonce : null;
}
