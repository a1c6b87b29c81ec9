import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { Unauthorized } from "../../lib/errors.ts";
import { isRole, type Role } from "./roles.ts";
import { isUuid } from "../../lib/validation.ts";

/** Access tokens live 15 minutes; revocation is immediate anyway because every request checks the session. */
export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const TOKEN_AUDIENCE = "proptrade-api";
/** The only algorithm accepted: pinned, so `alg: none` and HS/RS key confusion cannot be smuggled in. */
const ALGORITHM = "HS256";

interface AccessClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** Session (login) id: the token dies with its session. */
  sid: string;
  jti: string;
}

export interface TokenKeys {
  key: Uint8Array;
  issuer: string;
}

/** Derives the signing key and issuer from configuration (JWT_SECRET, APP_URL). */
export function tokenKeys(jwtSecret: string, appUrl: string): TokenKeys {
  return { key: new TextEncoder().encode(jwtSecret), issuer: appUrl };
}

export async function signAccessToken(
  keys: TokenKeys,
  claims: Omit<AccessClaims, "jti">,
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return await new SignJWT({ role: claims.role, sid: claims.sid })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(keys.issuer)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(keys.key);
}

/**
 * Verifies signature (HS256 only), issuer, audience, expiry and not-before, and the claim shapes. Every
 * failure is the same 401: the caller learns nothing about which check failed.
 */
export async function verifyAccessToken(
  keys: TokenKeys,
  token: string,
  now = new Date(),
): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, keys.key, {
      algorithms: [ALGORITHM],
      issuer: keys.issuer,
      audience: TOKEN_AUDIENCE,
      currentDate: now,
      requiredClaims: ["sub", "sid", "role", "exp", "iat", "jti"],
      // Also rejects an `iat` in the future and caps the lifetime: a token claiming years of validity is forged.
      maxTokenAge: ACCESS_TOKEN_SECONDS,
    });
    const { sub, sid, role, jti, iat, exp } = payload;
    if (
      !isUuid(sub) || !isUuid(sid) || typeof jti !== "string" || !isRole(role) ||
      exp! - iat! > ACCESS_TOKEN_SECONDS
    ) {
      throw new Unauthorized("The access token is invalid.");
    }
    return { sub, sid, role, jti };
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
      throw new Unauthorized("The access token is invalid or expired.");
    }
    throw error;
  }
}
