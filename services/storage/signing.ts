/**
 * Signed app URLs for the disk store: `/_objects/<key>?expires=<unix s>&sig=<hex HMAC-SHA256>`.
 *
 * The HMAC covers the key and the expiry, so neither can be changed without the secret; it is the disk
 * equivalent of an S3 presigned URL and likewise needs no session, so it works in `<img>`/download links.
 */
const encoder = new TextEncoder();
const EXPIRES = /^\d{1,12}$/;
const SIG = /^[0-9a-f]{64}$/;

type SignatureCheck = "valid" | "expired" | "invalid";

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (!secret) throw new Error("The object signing secret must not be empty.");
  return await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
}

/** Hex HMAC-SHA256 of `key + "\n" + expires`; the newline cannot occur in a valid key, so no ambiguity. */
export async function signObject(secret: string, key: string, expires: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${key}\n${expires}`));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time independent of where the strings differ, so a forger learns nothing from timing. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Like `verifyObjectSignature`, but says why a URL is refused (for the error message). */
export async function checkObjectSignature(
  secret: string,
  key: string,
  expires: string | number,
  sig: string,
  now: Date = new Date(),
): Promise<SignatureCheck> {
  const expiresText = String(expires);
  if (!EXPIRES.test(expiresText) || !SIG.test(sig)) return "invalid";
  const expected = await signObject(secret, key, Number(expiresText));
  if (!constantTimeEqual(expected, sig)) return "invalid";
  return now.getTime() / 1000 > Number(expiresText) ? "expired" : "valid";
}

/**
 * Whether `sig` is this server's signature for `key` until `expires` (unix seconds) and `now` is not past it.
 *
 * @example
 * await verifyObjectSignature(secret, "kyc/u1/id.pdf", "1767225600", url.searchParams.get("sig")!, new Date());
 */
export async function verifyObjectSignature(
  secret: string,
  key: string,
  expires: string | number,
  sig: string,
  now: Date = new Date(),
): Promise<boolean> {
  return await checkObjectSignature(secret, key, expires, sig, now) === "valid";
}
