import { getCookies, serializeCookie } from "../../lib/cookies.ts";
import { ACCESS_TOKEN_SECONDS } from "../../services/auth/tokens.ts";
import { DEVICE_TOKEN_SECONDS } from "../../services/auth/device_tokens.ts";

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

/**
 * The device cookie: a signed token from an earlier successful sign-in on this browser (see
 * services/auth/device_tokens.ts), which lets it sign in on its own rate budget even while strangers have
 * spent the account's (OWASP "device cookies"). HttpOnly and SameSite like the session cookies, `__Host-`
 * outside development; it outlives sign-out on purpose, since it names the device, not a session.
 */
function deviceCookieName(secure: boolean): string {
  return secure ? "__Host-pt_device" : "pt_device";
}

export function deviceCookie(secure: boolean, token: string): string {
  return serializeCookie(deviceCookieName(secure), token, { maxAgeSeconds: DEVICE_TOKEN_SECONDS, secure });
}

/** The device token this browser holds, if any (its validity is the sign-in check's business). */
export function deviceTokenFrom(req: Request, secure: boolean): string | undefined {
  return getCookies(req)[deviceCookieName(secure)];
}

/** Everything a browser keeps after a successful sign-in: the session cookies and a fresh device cookie. */
export function signInCookies(
  secure: boolean,
  signIn: { accessToken: string; refreshToken: string; deviceToken: string },
): string[] {
  return [...sessionCookies(secure, signIn), deviceCookie(secure, signIn.deviceToken)];
}

/** Secure cookies everywhere except plain-HTTP development and test runs. */
export function secureCookies(env: string, appUrl: string): boolean {
  return env === "production" || appUrl.startsWith("https:");
}
