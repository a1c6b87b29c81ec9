/**
 * The rate-limiter contract (DESIGN §6): Redis when configured, so every instance counts against the same
 * totals; in memory in embedded mode.
 *
 * Both adapters implement the same **sliding log**: a key remembers the time of each *allowed* hit within
 * the last `windowSeconds`, and a hit is allowed while fewer than `limit` are remembered. Unlike a fixed
 * window there is no boundary at which a client can spend two windows' worth in a moment (10 login attempts
 * within a second instead of 5 per 15 minutes). Refused hits are not recorded, so hammering a refused key
 * does not extend its wait; `retryAfterSeconds` is exact — when the oldest counted hit leaves the window.
 * The cost is one timestamp per allowed hit, bounded by `limit` per key.
 */
import { createHash } from "node:crypto";
import { reportTo } from "../log.ts";

/** How many hits a key may make per window. */
export interface RateRule {
  /** Hits allowed per window; a positive integer. */
  readonly limit: number;
  /** The window's length; positive, fractions allowed (tests use short windows). */
  readonly windowSeconds: number;
  /**
   * When the limiter's store is unreachable: `false` (the default) lets the hit through with a logged
   * warning, because an outage of Redis should not lock everyone out of the app; `true` makes `consume`
   * reject with `ServiceUnavailable` instead, for limits whose absence would make an attack practical.
   * The memory limiter cannot be unreachable and ignores it.
   */
  readonly failClosed?: boolean;
}

/** The answer to one `consume`. */
export interface RateDecision {
  allowed: boolean;
  /** Hits still allowed in the current window after this one (0 when refused). */
  remaining: number;
  /** When refused: whole seconds (≥ 1) until a hit would be allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Which adapter is behind this limiter (shown by health checks). */
  readonly kind: "redis" | "memory";
  /**
   * Records a hit on `key` if `rule` allows it. Atomic: concurrent calls for one key (from any process, for
   * Redis) never allow more than `rule.limit` per window. Use one rule per key: callers namespace keys by
   * rule (see `enforce` in `rules.ts`).
   */
  consume(key: string, rule: RateRule): Promise<RateDecision>;
  /** Forgets every hit on `key` (e.g. after a successful login). Best-effort: an outage is logged, not thrown. */
  reset(key: string): Promise<void>;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}

/** How a limiter reports trouble it does not throw (a Redis outage it fails open on). */
export type RateLimitLogger = (message: string, error?: unknown) => void;

export const defaultLogger: RateLimitLogger = reportTo("rate-limit", "warn");

/** Throws a TypeError naming the bad field; a zero or NaN limit would otherwise refuse or allow everything. */
export function assertRule(rule: RateRule): void {
  if (!Number.isInteger(rule.limit) || rule.limit < 1) {
    throw new TypeError(`Rate rule limit must be a positive integer, got ${rule.limit}`);
  }
  if (!Number.isFinite(rule.windowSeconds) || rule.windowSeconds <= 0) {
    throw new TypeError(`Rate rule windowSeconds must be a positive number, got ${rule.windowSeconds}`);
  }
}

const MAX_KEY_LENGTH = 128;

/**
 * Keys often carry user input (an email typed into the login form); a long one is replaced by its SHA-256
 * so an attacker cannot make each stored key, in memory or in Redis, arbitrarily large.
 */
export function storageKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** Milliseconds → the whole seconds a client should wait; never 0, so a refusal always says "wait". */
export function toRetryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
