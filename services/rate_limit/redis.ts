/**
 * The Redis limiter: one Lua script per hit, so the check and the record are one atomic step for every
 * process sharing the Redis (no MULTI/WATCH retry loop). The sliding log is a sorted set per key
 * (`<prefix>:rl:<key>`, score = time of an allowed hit; the prefix is the deployment's, REDIS_PREFIX), expiring with its window so idle keys cost nothing.
 *
 * Time comes from Redis (`TIME`), not from each app instance, so instances with skewed clocks still agree on
 * every window.
 *
 * Outages: a hit that cannot reach Redis (down, or silent past `commandTimeoutMs`) is **allowed** with a
 * logged warning — one line per outage, not per request — because an unreachable limiter should not lock
 * every user out; a rule with `failClosed: true` is refused with `ServiceUnavailable` instead. After a
 * failure, Redis is left alone for `commandTimeoutMs` (the next hits are decided at once, as in an outage):
 * a sign-in checks four limits in a row, and must not wait four timeouts on a hung Redis. Start-up
 * still fails fast, so a wrong `REDIS_URL` is noticed at once rather than silently disabling all limits.
 */
import { createHash } from "node:crypto";
import { createClient } from "redis";
import { ServiceUnavailable } from "../../lib/errors.ts";
import { reconnectDelay, redact } from "../bus/redis.ts";
import { replyWithin } from "../bus/bus.ts";
import {
  assertRule,
  defaultLogger,
  type RateDecision,
  type RateLimiter,
  type RateLimitLogger,
  type RateRule,
  storageKey,
  toRetryAfterSeconds,
} from "./limiter.ts";

type RedisClient = ReturnType<typeof createClient>;

/** Every limiter key starts with this, so they are easy to find, count and expire by hand. */
export const KEY_PREFIX = "rl:";

/**
 * KEYS[1] the log; ARGV: limit, window (ms), a unique member for this hit.
 * Returns {allowed (0|1), remaining, ms until a hit would be allowed}.
 * `TIME` in a script is allowed since Redis 5 (effects replication), and Redis 7 is what we run.
 */
const CONSUME_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local blocking = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {0, 0, tonumber(blocking[2]) + window - now}
`;

/** What a hit fails with while Redis is left alone after a failure. */
const SKIPPED = new Error("Redis failed moments ago; not waiting on it again yet");

/** What EVALSHA names the script by. */
const SCRIPT_SHA1 = createHash("sha1").update(CONSUME_SCRIPT).digest("hex");

export interface RedisRateLimiterOptions {
  url: string;
  /** The deployment's prefix (REDIS_PREFIX): keys are `<prefix>:rl:<key>`. Empty (tests): `rl:<key>`. */
  prefix?: string;
  log?: RateLimitLogger;
  /** Attempts before the first connection gives up, so a bad URL stops start-up with a clear error. */
  initialConnectAttempts?: number;
  /** How long a hit waits for Redis before it is treated as an outage (default 1000 ms). */
  commandTimeoutMs?: number;
}

/** Connects; rejects (after closing the client) when Redis cannot be reached at start-up. */
export async function connectRedisRateLimiter(options: RedisRateLimiterOptions): Promise<RedisRateLimiter> {
  const log = options.log ?? defaultLogger;
  const attempts = options.initialConnectAttempts ?? 5;
  const where = redact(options.url);
  let connectedOnce = false;
  const client = createClient({
    url: options.url,
    // A hit must not queue behind an outage: failing at once is what lets it fail open (or closed) quickly.
    disableOfflineQueue: true,
    // A bound on what a hung Redis can pile up: past it, hits fail (open) at once instead of queueing.
    commandsQueueMaxLength: 10_000,
    socket: {
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!connectedOnce && retries + 1 >= attempts) {
          return new Error(`Redis at ${where} unreachable after ${attempts} attempts: ${cause.message}`);
        }
        return reconnectDelay(retries);
      },
    },
  });
  client.once("ready", () => connectedOnce = true);
  // Without an `error` listener node-redis throws socket errors as uncaught exceptions.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    try {
      if (client.isOpen) client.destroy();
    } catch { /* already closed itself */ }
    throw new Error(`Cannot connect to Redis at ${where}: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
  const prefix = (options.prefix ? `${options.prefix}:` : "") + KEY_PREFIX;
  return new RedisRateLimiter(client, where, log, options.commandTimeoutMs ?? 1000, prefix);
}

class RedisRateLimiter implements RateLimiter {
  readonly kind = "redis" as const;
  readonly #client: RedisClient;
  readonly #where: string;
  readonly #log: RateLimitLogger;
  readonly #timeoutMs: number;
  /** Whether the last command failed: warnings are logged on the way down and up, not per request. */
  #down = false;
  /** Until when hits skip Redis after a failure (epoch ms): one hit per period probes whether it is back. */
  #skipUntil = 0;
  #closed = false;

  /** Before every key: the deployment's prefix and `rl:`. */
  readonly #keyPrefix: string;

  constructor(
    client: RedisClient,
    where: string,
    log: RateLimitLogger,
    timeoutMs: number,
    keyPrefix: string,
  ) {
    this.#keyPrefix = keyPrefix;
    this.#client = client;
    this.#where = where;
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  async consume(key: string, rule: RateRule): Promise<RateDecision> {
    assertRule(rule);
    if (this.#closed) throw new Error("The rate limiter is closed.");
    const windowMs = Math.max(1, Math.round(rule.windowSeconds * 1000));
    let reply: unknown;
    try {
      this.#assertProbing();
      reply = await this.#withTimeout(this.#run(this.#keyPrefix + storageKey(key), [
        String(rule.limit),
        String(windowMs),
        crypto.randomUUID(),
      ]));
      this.#up();
    } catch (error) {
      this.#fail(error);
      if (rule.failClosed) throw new ServiceUnavailable("Rate limiting is unavailable; try again shortly.");
      // Fail open: the count is unknown, so report the most a fresh key would have.
      return { allowed: true, remaining: rule.limit - 1, retryAfterSeconds: 0 };
    }
    const [allowed, remaining, waitMs] = reply as [number, number, number];
    return allowed === 1
      ? { allowed: true, remaining, retryAfterSeconds: 0 }
      : { allowed: false, remaining: 0, retryAfterSeconds: toRetryAfterSeconds(waitMs) };
  }

  async reset(key: string): Promise<void> {
    if (this.#closed) throw new Error("The rate limiter is closed.");
    try {
      this.#assertProbing();
      await this.#withTimeout(this.#client.del(this.#keyPrefix + storageKey(key)));
      this.#up();
    } catch (error) {
      // Best-effort: a reset after a successful login must not turn that login into an error.
      this.#fail(error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    if (!client.isOpen) return;
    // `close()` waits for replies that never come while Redis is down or hung; destroy rejects them instead.
    try {
      if (client.isReady) await this.#withTimeout(client.close());
      else client.destroy();
    } catch {
      try {
        if (client.isOpen) client.destroy();
      } catch { /* already closed */ }
    }
  }

  /** EVALSHA, falling back to EVAL (which caches the script) after a Redis restart emptied the cache. */
  async #run(key: string, args: string[]): Promise<unknown> {
    const options = { keys: [key], arguments: args };
    try {
      return await this.#client.evalSha(SCRIPT_SHA1, options);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return await this.#client.eval(CONSUME_SCRIPT, options);
    }
  }

  /** See `replyWithin`: a connected but silent Redis must not hold a sign-in. */
  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    return replyWithin(promise, this.#timeoutMs);
  }

  /** Throws while Redis is being left alone after a failure (see the module note). */
  #assertProbing(): void {
    if (Date.now() < this.#skipUntil) throw SKIPPED;
  }

  #fail(error: unknown): void {
    // Only a real failure restarts the wait: skipped hits must not keep Redis from ever being probed.
    if (error !== SKIPPED) this.#skipUntil = Date.now() + this.#timeoutMs;
    if (this.#down) return;
    this.#down = true;
    this.#log(`Redis at ${this.#where} is unreachable; failing open (except failClosed rules)`, error);
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log(`Redis at ${this.#where} answers again; rate limits are enforced`);
  }
}

/** The URL with any password replaced, for messages and logs. */
