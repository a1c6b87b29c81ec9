/**
 * The app's named rate limits, and `enforce`, the one way routes apply them.
 *
 * Account keys should be normalised by the caller (the lower-cased email, or the user id) so that
 * `Alice@x.io` and `alice@x.io` share one count. Credentials are checked in one place,
 * services/auth/credential_check.ts, which enforces the account rules *before* verifying and resets them
 * after a success, so that only failures add up.
 */
import { TooManyRequests } from "../../lib/errors.ts";
import type { RateLimiter, RateRule } from "./limiter.ts";

/** A rule with the name its keys are namespaced by. */
export interface NamedRateRule extends RateRule {
  readonly name: string;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * The limits (DESIGN §6). Per account they stop guessing one user's secret from many addresses; per IP
 * they stop one address from spraying many accounts.
 */
export const RATE_RULES = {
  /*
   * Sign-in guessing is limited without handing strangers a way to lock the owner out (OWASP "device
   * cookies"): a client holding a valid device token for the account (see services/auth/device_tokens.ts)
   * spends only its own `login_device` budget; every other client spends its (account, IP) budget *and* the
   * account's shared `login_account_unknown` budget. Spending the unknown-client budget from a thousand
   * addresses locks out unknown clients only; the owner's browsers and apps that signed in before still get
   * in. All three are reset on a success of the client that spent them, so they count failures.
   */
  /** Sign-in attempts for one account from one address, by a client without a device token. */
  login_account_ip: { name: "login_account_ip", limit: 5, windowSeconds: 15 * MINUTE },
  /**
   * Sign-in attempts for one account from all clients without a device token together: what a distributed
   * guesser gets (about 1,000 a day). Spent, it stops new devices of the owner too, until the window passes.
   */
  login_account_unknown: { name: "login_account_unknown", limit: 10, windowSeconds: 15 * MINUTE },
  /** Sign-in attempts with one device token (the owner's device, or a thief who copied its cookie). */
  login_device: { name: "login_device", limit: 5, windowSeconds: 15 * MINUTE },
  /**
   * Password re-checks by a signed-in user (step-up, email change, password change), per user: whoever holds
   * a stolen session must not get unlimited guesses at the password. Separate from the sign-in budgets, so a
   * session thief spending it cannot stop the owner signing in.
   */
  recheck_account: { name: "recheck_account", limit: 5, windowSeconds: 15 * MINUTE },
  /** Login attempts from one IP, whichever accounts it tries (an office or NAT shares it: not too low). */
  login_ip: { name: "login_ip", limit: 30, windowSeconds: 15 * MINUTE },
  /** Sign-ups from one IP. */
  register_ip: { name: "register_ip", limit: 10, windowSeconds: HOUR },
  /** Password-reset mails to one account: also stops the form being used to flood someone's inbox. */
  reset_account: { name: "reset_account", limit: 3, windowSeconds: HOUR },
  /** Password-reset requests from one IP. */
  reset_ip: { name: "reset_ip", limit: 10, windowSeconds: HOUR },
  /**
   * Second-factor codes (TOTP or recovery) tried for one account, wherever they are checked: sign-in,
   * step-up, 2FA confirm, disable and recovery-code regeneration share it (services/auth/credential_check.ts).
   * A 6-digit code accepted at ±1 step has 3 winners in 10⁶, so without a limit it falls in hours; this one
   * keeps the odds near 0.15 % a day. It fails closed: a Redis outage must
   * not open that door, and a second factor that waits a minute is an acceptable cost.
   */
  totp_account: { name: "totp_account", limit: 5, windowSeconds: 15 * MINUTE, failClosed: true },
  /** What-if simulations per user: each one replays up to thousands of events. */
  simulate_user: { name: "simulate_user", limit: 30, windowSeconds: MINUTE },
  /**
   * Purchases per user: each one places an order and (with the demo provider) opens an account, so a script
   * must not mint them by the thousand; a trader buying a few sizes at once stays well inside.
   */
  purchase_user: { name: "purchase_user", limit: 10, windowSeconds: 10 * MINUTE },
  /**
   * Requests with a missing or wrong signature on the signature-authenticated machine routes (demo-sync,
   * payment webhook), per IP: they skip the general per-IP budget, so failures get one of their own.
   */
  bad_signature_ip: { name: "bad_signature_ip", limit: 60, windowSeconds: MINUTE },
  /**
   * Signed sync batches per trading account: a connector sends a few per second per account at most; a
   * runaway loop on one account must not starve the others' evaluation.
   */
  sync_account: { name: "sync_account", limit: 1_200, windowSeconds: MINUTE },
  /**
   * Full data exports per user (GDPR access requests): each reads everything the user has, so a script
   * holding a session must not turn it into a load generator; a trader needs one now and then.
   */
  export_user: { name: "export_user", limit: 5, windowSeconds: HOUR },
  /** JSON API requests from one IP. */
  api_ip: { name: "api_ip", limit: 300, windowSeconds: MINUTE },
} as const satisfies Record<string, NamedRateRule>;

/** The key `enforce` counts `key` under for `rule` (also what to `reset` after a success). */
export function ruleKey(rule: NamedRateRule, key: string): string {
  return `${rule.name}:${key}`;
}

/**
 * Records a hit on `key` under `rule`, throwing `TooManyRequests` (429 with `Retry-After`) when refused.
 * Rejects with `ServiceUnavailable` when the store is unreachable and the rule fails closed.
 *
 * @example
 * await enforce(limiter, RATE_RULES.login_ip, actor.ip ?? "unknown");
 */
export async function enforce(limiter: RateLimiter, rule: NamedRateRule, key: string): Promise<void> {
  const decision = await limiter.consume(ruleKey(rule, key), rule);
  if (!decision.allowed) throw new TooManyRequests(decision.retryAfterSeconds);
}

/**
 * Runs `check` (e.g. a signature verification) and, when it throws, counts a hit on `key` under `rule` before
 * rethrowing, so only failures use up the budget and a caller over it gets 429 instead of another try.
 */
export async function countFailures<T>(
  limiter: RateLimiter,
  rule: NamedRateRule,
  key: string,
  check: () => T | Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    await enforce(limiter, rule, key);
    throw error;
  }
}
