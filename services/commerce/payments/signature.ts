/**
 * Payment-provider webhook signatures (Stripe-style): `Payment-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, t + "." + raw body)>`, the scheme of lib/signed_request.ts under this header's name.
 */
import { signBody, verifySignedBody } from "../../../lib/signed_request.ts";

export const PAYMENT_SIGNATURE_HEADER = "payment-signature";

/** The header value a provider would send for `body` at `t` (unix seconds): for tests and replay tools. */
export function signatureHeader(secret: string, body: string, t: number): string {
  return signBody(secret, body, new Date(t * 1000));
}

/** @throws Unauthorized (401) for a missing, malformed, stale or wrong signature. */
export function verifySignature(secret: string, header: string | null, body: string, nowMs: number): void {
  verifySignedBody(header, body, secret, { name: "Payment-Signature", now: new Date(nowMs) });
}
