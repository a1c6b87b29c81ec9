/**
 * The demo-sync signature (DESIGN §4): `X-Sync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SYNC_SECRET,
 * t + "." + raw body)>`, the webhook scheme of lib/signed_request.ts under the sync header's name.
 */
import { signBody, verifySignedBody } from "../../lib/signed_request.ts";

export const SYNC_SIGNATURE_HEADER = "x-sync-signature";

/** The header value for `body` signed at `at` (what a connector sends). */
export const signSync = signBody;

/** @throws Unauthorized (401) for a missing, malformed, stale or wrong signature. */
export function verifySync(header: string | null, body: string, secret: string, now?: Date): void {
  verifySignedBody(header, body, secret, { name: SYNC_SIGNATURE_HEADER, now });
}
