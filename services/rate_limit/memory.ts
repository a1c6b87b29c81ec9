/**
 * The in-process limiter for embedded mode (one process, so a Map is the whole truth).
 *
 * Memory is bounded twice: a key holds at most `limit` timestamps (refused hits are not stored), and the map
 * holds at most `maxKeys` keys. Keys whose window has passed are swept at most once a minute, from within
 * `consume` (no timer to leak or to keep the process alive). When the map is still full, the least recently
 * used key is evicted: forgetting a quiet key only lets it start afresh, while a key under attack is touched
 * on every attempt and stays.
 */
import {
  assertRule,
  type RateDecision,
  type RateLimiter,
  type RateRule,
  storageKey,
  toRetryAfterSeconds,
} from "./limiter.ts";

export interface MemoryRateLimiterOptions {
  /** Most keys kept at once (default 10 000): about `maxKeys × limit` timestamps at worst. */
  maxKeys?: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

interface Entry {
  /** Times (ms) of the allowed hits still inside the window, oldest first. */
  hits: number[];
  /** The window the last hit was made under, to know when the whole entry has expired. */
  windowMs: number;
}

const SWEEP_INTERVAL_MS = 60_000;

export class MemoryRateLimiter implements RateLimiter {
  readonly kind = "memory" as const;
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #now: () => Date;
  #lastSweep: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isInteger(this.#maxKeys) || this.#maxKeys < 1) {
      throw new TypeError(`maxKeys must be a positive integer, got ${options.maxKeys}`);
    }
    this.#now = options.now ?? (() => new Date());
    this.#lastSweep = this.#now().getTime();
  }

  /** Keys currently held (for tests and health output). */
  get size(): number {
    return this.#entries.size;
  }

  consume(key: string, rule: RateRule): Promise<RateDecision> {
    assertRule(rule);
    const now = this.#now().getTime();
    if (now - this.#lastSweep >= SWEEP_INTERVAL_MS) this.#sweep(now);
    const k = storageKey(key);
    const windowMs = rule.windowSeconds * 1000;
    const entry = this.#entries.get(k) ?? { hits: [], windowMs };
    // Re-inserting moves the key to the end of the Map's order, which is what makes eviction LRU.
    this.#entries.delete(k);
    entry.windowMs = windowMs;
    const firstLive = entry.hits.findIndex((t) => t > now - windowMs);
    entry.hits.splice(0, firstLive === -1 ? entry.hits.length : firstLive);
    let decision: RateDecision;
    if (entry.hits.length < rule.limit) {
      entry.hits.push(now);
      decision = { allowed: true, remaining: rule.limit - entry.hits.length, retryAfterSeconds: 0 };
    } else {
      // The hit that must leave the window before one more fits (the oldest, unless the limit shrank).
      const blocking = entry.hits[entry.hits.length - rule.limit];
      decision = {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: toRetryAfterSeconds(blocking + windowMs - now),
      };
    }
    if (entry.hits.length > 0) this.#insert(k, entry, now);
    return Promise.resolve(decision);
  }

  reset(key: string): Promise<void> {
    this.#entries.delete(storageKey(key));
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }

  #insert(key: string, entry: Entry, now: number): void {
    // A full sweep is O(keys); when the map is full of live keys, once a second is enough.
    if (this.#entries.size >= this.#maxKeys && now - this.#lastSweep >= 1000) this.#sweep(now);
    while (this.#entries.size >= this.#maxKeys) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }

  /** Drops every key whose newest hit has left its window. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) {
      if (entry.hits[entry.hits.length - 1] + entry.windowMs <= now) this.#entries.delete(key);
    }
  }
}
