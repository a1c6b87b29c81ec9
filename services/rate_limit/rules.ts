/**
 * The app's named rate limits, and `enforce`, the one way routes apply them.
 *
 * Account keys should be normalised by the caller (the lower-cased email, or the user id) so that
 * `Alice@x.io` and `alice@x.io` share one count. Auth routes call `enforce` *before* checking credentials,
 * and `limiter.reset(ruleKey(rule, key))` for the account rule after a success, so that only failures add up.
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
  /** Login attempts for one account (counts failures when reset on success). */
  login_account: { name: "login_account", limit: 5, windowSeconds: 15 * MINUTE },
  /** Login attempts from one IP, whichever accounts it tries (an office or NAT shares it: not too low). */
  login_ip: { name: "login_ip", limit: 30, windowSeconds: 15 * MINUTE },
  /** Sign-ups from one IP. */
  register_ip: { name: "register_ip", limit: 10, windowSeconds: HOUR },
  /** Password-reset mails to one account: also stops the form being used to flood someone's inbox. */
  reset_account: { name: "reset_account", limit: 3, windowSeconds: HOUR },
  /** Password-reset requests from one IP. */
  reset_ip: { name: "reset_ip", limit: 10, windowSeconds: HOUR },
  /**
   * TOTP codes tried for one account. A 6-digit code accepted at ±1 step has 3 winners in 10⁶, so without a
   * limit it falls in hours; this one keeps the odds near 0.15 % a day. It fails closed: a Redis outage must
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
  /** JSON API requests from one IP. */
  api_ip: { name: "api_ip", limit: 300, windowSeconds: MINUTE },
} as const satisfies Record<string, NamedRateRule>;

export type RateRuleName = keyof typeof RATE_RULES;

/** The key `enforce` counts `key` under for `rule` (also what to `reset` after a success). */
export function ruleKey(rule: NamedRateRule, key: string): string {
  return `${rule.name}:${key}`;
}

/**
 * Records a hit on `key` under `rule`, throwing `TooManyRequests` (429 with `Retry-After`) when refused.
 * Rejects with `ServiceUnavailable` when the store is unreachable and the rule fails closed.
 *
 * @example
 * await enforce(limiter, RATE_RULES.login_account, email.toLowerCase());
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
