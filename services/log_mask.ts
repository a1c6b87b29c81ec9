/**
 * The one masking rule for what leaves the process as text (log lines, error reports): secrets never,
 * personal data partly. Field names decide first — a `password`, `token`, `cookie` or `authorization` field is
 * replaced whole — then string values are scanned, so an email or a bearer token inside a message or a URL is
 * masked too. Callers should not pass secrets at all; this is the last line of defence.
 *
 * @example
 * maskEmail("jane.doe@example.com") // "j***@example.com"
 * maskText("mail to jane@example.com failed") // "mail to j***@example.com failed"
 */

/** Field names whose values never reach a log, whatever they hold. */
const SECRET_KEY =
  /password|passphrase|token|secret|authorization|cookie|api_?key|totp|^otp$|recovery_?code|signature|^dsn$/i;

/** Email-like runs inside text (local part, @, a dotted domain). */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** Credentials that travel inside text: `Bearer x`, `Basic x`, and token-ish query parameters. */
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const SECRET_PARAM = /([?&](?:token|access_token|refresh_token|code|key|signature|sig)=)[^&#\s]+/gi;

export const REDACTED = "[redacted]";

/** True when a field of this name must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `jane.doe@example.com` → `j***@example.com`: enough to tell users apart in a log, not to mail them. */
export function maskEmail(email: string): string {
  return email.replace(EMAIL, "$1***@$2");
}

/** A string with emails masked and credentials (bearer/basic values, token query parameters) redacted. */
export function maskText(text: string): string {
  // Cheap exit for the common case: most strings carry no `@`, no `=` and no auth scheme.
  if (!/[@=]|bearer|basic/i.test(text)) return text;
  return text
    .replace(CREDENTIAL, (_, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(EMAIL, "$1***@$2");
}
