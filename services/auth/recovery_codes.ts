/**
 * One-time recovery codes: the way back in when the authenticator app is lost.
 *
 * A code is 10 symbols of lowercase Crockford base32 shown as `xxxxx-xxxxx` (50 random bits). The alphabet
 * leaves out `i`, `l`, `o` and `u`, and input is read the Crockford way (`i`/`l` → `1`, `o` → `0`, any case,
 * spaces and dashes ignored), so a code copied from paper by hand still works.
 *
 * Only a SHA-256 of the normalized code is stored. No per-user salt: the hash is looked up by value, and 50
 * random bits (unlike a password) leave nothing for a dictionary; a code is also useless without the password.
 */
import { sha256Hex } from "../../lib/crypto.ts";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUP = 5;
const LENGTH = 2 * GROUP;
const CANONICAL = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/**
 * `n` distinct fresh codes, e.g. `["7kq2m-xh0rd", …]`. Show them once; store only {@link hashRecoveryCode}.
 */
export function newRecoveryCodes(n = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < n) codes.add(newCode());
  return [...codes];
}

function newCode(): string {
  // 32 symbols = 5 bits: the low 5 bits of a uniformly random byte pick one without bias.
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  const symbols = Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
  return `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}`;
}

/**
 * The canonical form of a typed code (`"7KQ2M XH0RD"` → `"7kq2mxh0rd"`), or `null` when it cannot be a
 * recovery code at all (so a 6-digit TOTP code is never mistaken for one).
 */
export function normalizeRecoveryCode(code: string): string | null {
  const normalized = code.toLowerCase().replace(/[\s-]+/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
  return CANONICAL.test(normalized) ? normalized : null;
}

/** The stored hash of a code (hex SHA-256 of its normalized form), or `null` when it is not a code. */
export async function hashRecoveryCode(code: string): Promise<string | null> {
  const normalized = normalizeRecoveryCode(code);
  return normalized === null ? null : await sha256Hex(normalized);
}
