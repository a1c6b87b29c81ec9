/**
 * Security headers for every response.
 *
 * Threat model, briefly: the pages render user-controlled text (names, plan names, FAQ entries written by
 * staff), so an HTML-injection bug must not become script execution. Scripts therefore run only with the
 * per-response nonce, or — on a page cached whole and sent to everyone, where a nonce would be the same for
 * all and so worthless — only when their text hashes to a `'sha256-…'` source computed when the page was
 * rendered. Either way 'strict-dynamic' lets the allowed boot script load its own chunks, and nothing
 * injected into the HTML runs (it has neither the nonce nor a listed hash). A page without islands gets
 * `script-src 'none'`. Never 'unsafe-inline'. No framing (clickjacking of trade or payout forms), no
 * plugins, no `<base>` rewriting, forms post only to us.
 */
export interface SecurityOptions {
  /** Send HSTS (production behind HTTPS). */
  hsts: boolean;
}

/**
 * How a page's inline scripts are allowed: a per-response nonce, or the base64 SHA-256 of each inline
 * script's text (a page cached whole); null when the page ships no script at all.
 */
export type ScriptSources = { nonce: string } | { hashes: string[] } | null;

/** The CSP of an HTML page. */
export function pageCsp(sources: ScriptSources): string {
  const allowed = !sources
    ? null
    : "nonce" in sources
    ? `'nonce-${sources.nonce}'`
    : sources.hashes.length
    ? sources.hashes.map((hash) => `'sha256-${hash}'`).join(" ")
    : null;
  return [
    "default-src 'self'",
    allowed ? `script-src ${allowed} 'strict-dynamic'` : "script-src 'none'",
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
