/**
 * Security headers for every response.
 *
 * Threat model, briefly: the pages render user-controlled text (names, plan names, FAQ entries written by
 * staff), so an HTML-injection bug must not become script execution. Scripts therefore run only with the
 * per-response nonce ('strict-dynamic' lets the nonce'd boot script load its own chunks); a page without
 * islands gets `script-src 'none'`, which is also what lets its HTML be cached whole. No framing
 * (clickjacking of trade or payout forms), no plugins, no `<base>` rewriting, forms post only to us.
 */
export interface SecurityOptions {
  /** Send HSTS (production behind HTTPS). */
  hsts: boolean;
}

/** The CSP of an HTML page; `nonce` null means the page ships no script at all. */
export function pageCsp(nonce: string | null): string {
  return [
    "default-src 'self'",
    nonce ? `script-src 'nonce-${nonce}' 'strict-dynamic'` : "script-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** For anything that is not a page (JSON, assets): nothing may be loaded or framed from it. */
const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Adds the standard headers, keeping a CSP the page renderer already set (it knows the nonce). */
export function withSecurityHeaders(res: Response, opts: SecurityOptions): Response {
  let headers = res.headers;
  try {
    headers.set("x-content-type-options", "nosniff");
  } catch {
    // Immutable headers (e.g. Response.redirect): copy into a response we own.
    res = new Response(res.body, res);
    headers = res.headers;
    headers.set("x-content-type-options", "nosniff");
  }
  if (!headers.has("content-security-policy")) {
    const isHtml = headers.get("content-type")?.startsWith("text/html") ?? false;
    headers.set("content-security-policy", isHtml ? pageCsp(null) : RESOURCE_CSP);
  }
  headers.set("x-frame-options", "DENY");
  headers.set("referrer-policy", "strict-origin-when-cross-origin");
  headers.set("cross-origin-opener-policy", "same-origin");
  headers.set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (opts.hsts) headers.set("strict-transport-security", "max-age=63072000; includeSubDomains");
  return res;
}
