/**
 * TOTP (RFC 6238) as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. The parameters are fixed
 * rather than configurable because several popular apps silently ignore anything else in the URI.
 */
import { correction, generate } from "lean-qr";
import { toSvgSource } from "lean-qr/extras/svg";
import { HOTP, Secret, TOTP } from "otpauth";

const DIGITS = 6;
const PERIOD_SECONDS = 30;
const ALGORITHM = "SHA1";
// One step either side absorbs clock drift between phone and server and the time it takes to type a code.
const WINDOW = 1;
// RFC 4226 recommends 160 bits, the size of a SHA-1 block's worth of key that apps handle everywhere.
const SECRET_BYTES = 20;

/** A new random shared secret: 160 bits, base32 (32 characters, no padding). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/**
 * The `otpauth://` URI an authenticator app scans (as a QR code) or imports.
 *
 * @example
 * totpUri("JBSWY3DPEHPK3PXP", "ana@example.com")
 * // "otpauth://totp/PropTrade%20Pro:ana%40example.com?issuer=PropTrade%20Pro&secret=JBSWY3DPEHPK3PXP&…"
 */
export function totpUri(secret: string, accountEmail: string, issuer = "PropTrade Pro"): string {
  return totp(secret, accountEmail, issuer).toString();
}

/** The time step (30-second counter since the Unix epoch) that `now` falls in. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);
}

/** The code for `now` (what an authenticator app shows); for tests and tooling, the server only matches. */
export function totpCode(secret: string, now: Date): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    counter: totpStep(now),
  });
}

/**
 * Matches a user-typed `code` against the steps around `now` (±1) and returns the matched step, or `null`.
 *
 * Steps at or before `lastUsedStep` are never accepted, so a code (or an older one still inside the window)
 * works only once: the caller stores the returned step as the new `lastUsedStep`. Spaces in the code are
 * ignored, as apps display codes as `123 456`.
 *
 * @example
 * const step = matchTotp(secret, "123 456", new Date(), row.last_used_step);
 * if (step === null) throw new Unprocessable("code", "is not valid");
 */
export function matchTotp(
  secret: string,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): number | null {
  const typed = code.replace(/\s+/g, "");
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(typed)) return null;
  const key = Secret.fromBase32(secret);
  const current = totpStep(now);
  let matched: number | null = null;
  // Every candidate is computed and compared (no early exit), so timing does not reveal which step matched.
  // The newest match wins: after a match, every older step in the window is spent as well.
  for (let step = current - WINDOW; step <= current + WINDOW; step++) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const expected = HOTP.generate({ secret: key, algorithm: ALGORITHM, digits: DIGITS, counter: step });
    if (constantTimeEqual(expected, typed)) matched = step;
  }
  return matched;
}

/** The QR code of `text` (medium error correction, as authenticator apps scan it from a screen). */
export function qrCode(text: string) {
  return generate(text, { minCorrectionLevel: correction.M });
}

/**
 * An SVG QR code of `text` as a `data:` URL, for an `<img src>` (allowed by our CSP's `img-src data:`; no inline
 * markup, so nothing in it can run).
 */
export function qrSvgDataUrl(text: string): string {
  const svg = toSvgSource(qrCode(text), { on: "#000", off: "#fff", pad: 2, width: 200, height: 200 });
  return `data:image/svg+xml;base64,${new TextEncoder().encode(svg).toBase64()}`;
}

function totp(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
