/**
 * The rate-limit entry point: Redis when `REDIS_URL` is configured (limits hold across instances), otherwise
 * in memory (embedded mode is one process). DESIGN §6.
 *
 * @example
 * const limiter = await createRateLimiter({ redisUrl: config.redisUrl });
 * await enforce(limiter, RATE_RULES.login_ip, clientIp); // throws TooManyRequests when refused
 */
import type { RateLimiter, RateLimitLogger } from "./limiter.ts";
import { MemoryRateLimiter } from "./memory.ts";
import { connectRedisRateLimiter } from "./redis.ts";

export { connectRedisRateLimiter } from "./redis.ts";

export interface CreateRateLimiterOptions {
  redisUrl?: string;
  /** The deployment's prefix of every key (REDIS_PREFIX, services/redis_prefix.ts). */
  redisPrefix?: string;
  /** Where Redis outages are reported (default: the process log, as warnings). */
  log?: RateLimitLogger;
}

/** Opens the limiter the config names; rejects when a configured Redis cannot be reached at start-up. */
export async function createRateLimiter(options: CreateRateLimiterOptions = {}): Promise<RateLimiter> {
  if (options.redisUrl) {
    return await connectRedisRateLimiter({
      url: options.redisUrl,
      prefix: options.redisPrefix,
      log: options.log,
    });
  }
  return new MemoryRateLimiter();
}
