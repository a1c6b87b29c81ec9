/**
 * The bus entry point: Redis when `REDIS_URL` is configured, otherwise the in-process bus (DESIGN §1).
 *
 * @example
 * const bus = await createBus({ redisUrl: config.redisUrl });
 * const stop = await bus.subscribe(`account:${id}`, (event) => send(event));
 * await bus.publish(`account:${id}`, { type: "equity", equity: "10250.00" });
 */
import type { Bus, BusLogger } from "./bus.ts";
import { MemoryBus } from "./memory.ts";
import { connectRedisBus } from "./redis.ts";

export type { Bus, BusHandler, Unsubscribe } from "./bus.ts";
export { MemoryBus } from "./memory.ts";
export { connectRedisBus } from "./redis.ts";

export function createBus(
  options: { redisUrl?: string; redisPrefix?: string; log?: BusLogger } = {},
): Promise<Bus> {
  if (options.redisUrl) {
    return connectRedisBus({ url: options.redisUrl, prefix: options.redisPrefix, log: options.log });
  }
  return Promise.resolve(new MemoryBus({ log: options.log }));
}
