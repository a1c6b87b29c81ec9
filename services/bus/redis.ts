/**
 * The Redis bus: one connection publishes, a duplicate subscribes (a connection in subscriber mode can run
 * nothing but (UN)SUBSCRIBE and PING).
 *
 * Outages: node-redis reconnects by itself with the backoff below and, once connected again, re-sends
 * SUBSCRIBE for every channel that still has listeners, so subscriptions survive a Redis restart. Messages
 * published while the subscriber is away are lost (pub/sub keeps no backlog); see the note in `bus.ts`.
 * Publishing while disconnected fails at once instead of queueing: a caller (the engine, after its commit)
 * should not wait for an outage to end, and consumers re-read state when they reconnect anyway
 * (`onReconnect`: the subscriber is back and has re-subscribed). A Redis that is connected but silent (hung,
 * or a network black hole) is bounded by `commandTimeoutMs` on every command a request waits for: publish,
 * subscribe and ping reject after it instead of holding the request.
 */
import { createHash } from "node:crypto";
import { createClient } from "redis";
import {
  assertChannel,
  type Bus,
  type BusHandler,
  type BusLogger,
  defaultLogger,
  dispatch,
  encodeMessage,
  replyWithin,
  type Unsubscribe,
} from "./bus.ts";

type RedisClient = ReturnType<typeof createClient>;

/**
 * ARGV[1] the message, ARGV[2..] the channels: PUBLISH to each in order, in one command (`publishAll`). A
 * script's PUBLISH is delivered as a client's is (Redis 7 replicates scripts by effects).
 */
const PUBLISH_ALL_SCRIPT = `
for i = 2, #ARGV do redis.call('PUBLISH', ARGV[i], ARGV[1]) end
return #ARGV - 1
`;
/** What EVALSHA names the script by. */
const PUBLISH_ALL_SHA1 = createHash("sha1").update(PUBLISH_ALL_SCRIPT).digest("hex");

export interface RedisBusOptions {
  url: string;
  /**
   * The deployment's prefix (REDIS_PREFIX, services/redis_prefix.ts): channel `account:1` is `<prefix>:account:1`
   * in Redis, so deployments sharing a Redis do not hear each other. Empty (tests): channels as named.
   */
  prefix?: string;
  log?: BusLogger;
  /**
   * Attempts before the *first* connection gives up, so start-up fails fast with a clear error when Redis
   * is down or misconfigured. Once connected, reconnection is retried forever.
   */
  initialConnectAttempts?: number;
  /** How long publish, subscribe and ping wait for Redis's reply before rejecting (default 1000 ms). */
  commandTimeoutMs?: number;
}

/** Reconnection delay: exponential from 100 ms, capped at 3 s, with jitter so instances do not stampede. */
export function reconnectDelay(retries: number): number {
  return Math.min(100 * 2 ** retries, 3000) + Math.floor(Math.random() * 100);
}

/** The URL with any password replaced, for messages and logs. */
/** A Redis URL safe to log: the password is masked. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid REDIS_URL>";
  }
}

interface ChannelEntry {
  handlers: Set<BusHandler>;
  /** The one node-redis listener per channel; it fans out to `handlers`. */
  listener: (json: string) => void;
  ready: Promise<void>;
}

/** Connects both connections; rejects (after closing them) if Redis cannot be reached at start-up. */
export async function connectRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const log = options.log ?? defaultLogger;
  const attempts = options.initialConnectAttempts ?? 5;
  const where = redact(options.url);
  const publisher = createClient({
    url: options.url,
    disableOfflineQueue: true,
    // A bound on what a hung Redis can pile up: past it, publishes fail at once instead of queueing.
    commandsQueueMaxLength: 10_000,
    socket: { reconnectStrategy: strategyFor(() => publisherReady, attempts, where) },
  });
  let publisherReady = false;
  publisher.once("ready", () => publisherReady = true);
  // Keeps its offline queue: a subscribe issued during an outage completes when Redis is back.
  const subscriber = publisher.duplicate({
    disableOfflineQueue: false,
    socket: { reconnectStrategy: strategyFor(() => subscriberReady, attempts, where) },
  });
  let subscriberReady = false;
  subscriber.once("ready", () => subscriberReady = true);
  const reconnected = new Set<() => void>();
  watch(publisher, "publisher", where, log);
  // node-redis emits `ready` only once every SUBSCRIBE has been re-sent and answered: from then on every
  // publish is delivered, so a re-read started now misses nothing.
  watch(subscriber, "subscriber", where, log, () => {
    for (const listener of [...reconnected]) {
      try {
        listener();
      } catch (error) {
        log("a reconnect listener threw", error);
      }
    }
  });
  const results = await Promise.allSettled([publisher.connect(), subscriber.connect()]);
  const failure = results.find((r) => r.status === "rejected");
  if (failure) {
    destroy(publisher);
    destroy(subscriber);
    const error = failure.reason;
    throw new Error(`Cannot connect to Redis at ${where}: ${error?.message ?? error}`, { cause: error });
  }
  return new RedisBus(publisher, subscriber, log, {
    timeoutMs: options.commandTimeoutMs ?? 1000,
    reconnected,
    prefix: options.prefix ? `${options.prefix}:` : "",
  });
}

function strategyFor(connectedOnce: () => boolean, attempts: number, where: string) {
  return (retries: number, cause: Error): number | Error => {
    if (!connectedOnce() && retries + 1 >= attempts) {
      return new Error(`Redis at ${where} unreachable after ${attempts} attempts: ${cause.message}`);
    }
    return reconnectDelay(retries);
  };
}

/**
 * An `error` listener is mandatory: without one, node-redis's EventEmitter throws every socket error as an
 * uncaught exception. One line per outage (not per retry) keeps logs readable during a long one.
 */
function watch(
  client: RedisClient,
  role: string,
  where: string,
  log: BusLogger,
  onBack?: () => void,
): void {
  let down = false;
  client.on("error", (error: unknown) => {
    if (down) return;
    down = true;
    log(`${role} lost Redis at ${where}; reconnecting`, error);
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log(`${role} reconnected to Redis at ${where}`);
    onBack?.();
  });
}

class RedisBus implements Bus {
  readonly kind = "redis" as const;
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #log: BusLogger;
  readonly #timeoutMs: number;
  readonly #reconnected: Set<() => void>;
  /** Put before every channel name sent to Redis (with its `:`); handlers see the channel as named. */
  readonly #prefix: string;
  readonly #channels = new Map<string, ChannelEntry>();
  /** UNSUBSCRIBEs in flight, so a quick re-subscribe to the same channel waits for them (see subscribe). */
  readonly #leaving = new Map<string, Promise<void>>();
  #closed = false;

  constructor(
    publisher: RedisClient,
    subscriber: RedisClient,
    log: BusLogger,
    options: { timeoutMs: number; reconnected: Set<() => void>; prefix: string },
  ) {
    this.#prefix = options.prefix;
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#log = log;
    this.#timeoutMs = options.timeoutMs;
    this.#reconnected = options.reconnected;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    if (this.#closed) throw new Error("The bus is closed.");
    const json = encodeMessage(channel, message);
    await replyWithin(this.#publisher.publish(this.#prefix + channel, json), this.#timeoutMs);
  }

  async publishAll(channels: readonly string[], message: unknown): Promise<void> {
    if (channels.length <= 1) {
      if (channels.length === 1) await this.publish(channels[0], message);
      return;
    }
    if (this.#closed) throw new Error("The bus is closed.");
    channels.forEach(assertChannel);
    const json = encodeMessage(channels[0], message);
    // Channels are not keys (pub/sub is not sharded by them here), so they travel as arguments.
    const options = { keys: [], arguments: [json, ...channels.map((c) => this.#prefix + c)] };
    await replyWithin(
      this.#publisher.evalSha(PUBLISH_ALL_SHA1, options).catch((error: unknown) => {
        if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
        return this.#publisher.eval(PUBLISH_ALL_SCRIPT, options);
      }),
      this.#timeoutMs,
    );
  }

  onReconnect(listener: () => void): () => void {
    const own = () => listener();
    this.#reconnected.add(own);
    return () => void this.#reconnected.delete(own);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe> {
    if (this.#closed) throw new Error("The bus is closed.");
    assertChannel(channel);
    // Letting an UNSUBSCRIBE and a SUBSCRIBE for one channel overlap would leave node-redis's own listener
    // bookkeeping to sort out their order; waiting is simpler and costs one round trip in a rare case.
    while (this.#leaving.has(channel)) await this.#leaving.get(channel);
    let entry = this.#channels.get(channel);
    if (!entry) {
      const handlers = new Set<BusHandler>();
      const listener = (json: string) => dispatch(channel, json, handlers, this.#log);
      const created: ChannelEntry = {
        handlers,
        listener,
        ready: this.#subscriber.subscribe(this.#prefix + channel, listener),
      };
      // A failed SUBSCRIBE must not be remembered as active, or later subscribers would never send theirs.
      created.ready.catch(() => {
        if (this.#channels.get(channel) === created) this.#channels.delete(channel);
      });
      this.#channels.set(channel, entry = created);
    }
    const own = entry;
    // A wrapper per call: the same function subscribed twice is two subscriptions, ended separately.
    const wrapped: BusHandler = (message) => handler(message);
    own.handlers.add(wrapped);
    try {
      await replyWithin(own.ready, this.#timeoutMs);
    } catch (error) {
      own.handlers.delete(wrapped);
      // Timed out with nobody else waiting: the SUBSCRIBE may still complete (it waits in the offline queue
      // during an outage), so forget the channel and undo the subscription once it does.
      if (own.handlers.size === 0 && this.#channels.get(channel) === own) {
        this.#channels.delete(channel);
        own.ready.then(() => this.#unsubscribe(channel, own), () => {});
      }
      throw error;
    }
    let ended = false;
    return async () => {
      if (ended) return;
      ended = true;
      own.handlers.delete(wrapped);
      if (own.handlers.size > 0 || this.#channels.get(channel) !== own) return;
      this.#channels.delete(channel);
      await this.#unsubscribe(channel, own);
    };
  }

  async #unsubscribe(channel: string, own: ChannelEntry): Promise<void> {
    if (this.#closed) return;
    while (this.#leaving.has(channel)) await this.#leaving.get(channel);
    // Always name the channel: a bare UNSUBSCRIBE drops every subscription and can hang (DESIGN §7).
    const leaving = this.#subscriber.unsubscribe(this.#prefix + channel, own.listener)
      .catch((error: unknown) => this.#log(`unsubscribe from "${channel}" failed`, error))
      .finally(() => this.#leaving.delete(channel));
    this.#leaving.set(channel, leaving);
    await leaving;
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error("The bus is closed.");
    await replyWithin(this.#publisher.ping(), this.#timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await Promise.all([shutDown(this.#publisher), shutDown(this.#subscriber)]);
  }
}

/**
 * `close()` waits for replies to queued commands, which never come while Redis is down; a client that is
 * not ready is destroyed instead (its queued commands are rejected).
 */
async function shutDown(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) return destroy(client);
  try {
    await client.close();
  } catch {
    destroy(client);
  }
}

/** `destroy()` throws on a client that already gave up (closed itself); either way it ends up closed. */
function destroy(client: RedisClient): void {
  try {
    if (client.isOpen) client.destroy();
  } catch { /* already closed */ }
}
