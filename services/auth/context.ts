import type { Db } from "../../db/client.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { RateLimiter } from "../rate_limit/limiter.ts";
import type { TokenKeys } from "./tokens.ts";

/** What the identity services need, opened once at start-up (a subset of `Deps`). */
export interface AuthDeps {
  db: Db;
  mailer: Mailer;
  limiter: RateLimiter;
  tokenKeys: TokenKeys;
  /** AES-GCM key that seals TOTP secrets at rest. */
  totpKey: CryptoKey;
  /** HMAC key that signs device tokens (device_tokens.ts). */
  deviceKey: CryptoKey;
  config: { appUrl: string };
}
