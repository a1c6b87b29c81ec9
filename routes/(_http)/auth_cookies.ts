import { serializeCookie } from "../../lib/cookies.ts";
import { ACCESS_TOKEN_SECONDS } from "../../services/auth/tokens.ts";

/**
 * Browser sessions: two HttpOnly, SameSite=Lax cookies. Outside development they are `Secure` and use the
 * `__Host-` prefix (no Domain, Path=/, Secure), so a sibling subdomain cannot plant or read them.
 */
export function cookieNames(secure: boolean) {
  return secure
    ? { access: "__Host-pt_access", refresh: "__Host-pt_refresh" }
    : { access: "pt_access", refresh: "pt_refresh" };
}

export function sessionCookies(
  secure: boolean,
  tokens: { accessToken: string; refreshToken: string; refreshExpiresAt?: Date },
): string[] {
  const names = cookieNames(secure);
  const refreshAge = tokens.refreshExpiresAt
    ? (tokens.refreshExpiresAt.getTime() - Date.now()) / 1000
    : 30 * 86_400;
  return [
    serializeCookie(names.access, tokens.accessToken, { maxAgeSeconds: ACCESS_TOKEN_SECONDS, secure }),
    serializeCookie(names.refresh, tokens.refreshToken, { maxAgeSeconds: refreshAge, secure }),
  ];
}

export function clearSessionCookies(secure: boolean): string[] {
  const names = cookieNames(secure);
  return [
    serializeCookie(names.access, "", { maxAgeSeconds: 0, secure }),
    serializeCookie(names.refresh, "", { maxAgeSeconds: 0, secure }),
  ];
}

/** Secure cookies everywhere except plain-HTTP development and test runs. */
export function secureCookies(env: string, appUrl: string): boolean {
  return env === "production" || appUrl.startsWith("https:");
}
