import type { Db } from "../../db/client.ts";
import type { BackgroundTasks } from "../background.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { RateLimiter } from "../rate_limit/limiter.ts";
import type { TokenKeys } from "./tokens.ts";
import type { TwoFactorKeys } from "./two_factor_keys.ts";

/** What the identity services need, opened once at start-up (a subset of `Deps`). */
export interface AuthDeps {
  db: Db;
  mailer: Mailer;
  limiter: RateLimiter;
  tokenKeys: TokenKeys;
  /**
   * The 2FA keys: AES-GCM sealing TOTP secrets at rest, HMAC keying recovery-code hashes. (Named for the
   * first of them; passed whole to every `two_factor.ts` function.)
   */
  totpKey: TwoFactorKeys;
  /** HMAC key that signs device tokens (device_tokens.ts). */
  deviceKey: CryptoKey;
  /** Work answered before it is done: the password-reset mail (see `requestPasswordReset`). */
  background: BackgroundTasks;
  config: { appUrl: string; supportEmail: string };
}
