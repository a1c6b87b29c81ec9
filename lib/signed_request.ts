/**
 * Webhook-style request signatures, for machine callers that share a secret with us (trading connectors,
 * payment providers): `<Header>: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`.
 *
 * The timestamp is inside the MAC, so a captured request cannot be replayed once it is older than the
 * tolerance (callers make a replay inside it a no-op with idempotent ids). Several `v1` entries may be sent,
 * so a caller can sign with the old and the new secret while a secret is being rotated.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { Unauthorized } from "./errors.ts";

/** How far the signed time may be from ours, either way (clock skew included). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The header value for `body` signed at `at`.
 *
 * @example
 * const header = signBody(secret, JSON.stringify({ accountId, events }));
 * await fetch(url, { method: "POST", headers: { "x-sync-signature": header }, body });
 */
export function signBody(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(+at / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/**
 * Checks `header` (named `name` in messages) against the raw body, in constant time per candidate.
 *
 * @throws Unauthorized (401) when the header is missing or malformed, the time is outside the tolerance, or
 *   no `v1` matches. The message says which, never what the right value would have been.
 */
export function verifySignedBody(
  header: string | null,
  body: string,
  secret: string,
  options: { name: string; now?: Date },
): void {
  const { name, now = new Date() } = options;
  if (!header) throw new Unauthorized(`Sign the request: missing ${name} header.`);
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const [key, value, ...rest] = part.trim().split("=");
    if (rest.length > 0 || value === undefined) continue;
    if (key === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (t === null || candidates.length === 0) {
    throw new Unauthorized(`Malformed ${name}: expected "t=<unix seconds>,v1=<hex HMAC-SHA256>".`);
  }
  if (Math.abs(Math.floor(+now / 1000) - t) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new Unauthorized(
      `The signature time is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from ours.`,
    );
  }
  const expected = Buffer.from(mac(secret, t, body), "hex");
  // Every candidate is compared (no early exit), so timing says nothing about which one was close.
  let ok = false;
  for (const candidate of candidates) {
    ok = timingSafeEqual(expected, Buffer.from(candidate, "hex")) || ok;
  }
  if (!ok) throw new Unauthorized("The signature does not match the body.");
}

function mac(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");
}
