/**
 * The in-process bus, used when no `REDIS_URL` is configured (one instance, embedded mode, tests).
 *
 * It keeps Redis's observable behaviour so code written against one works on the other: messages go through
 * JSON (handlers get copies, unserialisable values are refused), and delivery happens after `publish`
 * resolves rather than inside it, so a handler that publishes cannot recurse into its publisher.
 */
import {
  assertChannel,
  type Bus,
  type BusHandler,
  type BusLogger,
  defaultLogger,
  dispatch,
  encodeMessage,
} from "./bus.ts";

export class MemoryBus implements Bus {
  readonly kind = "memory" as const;
  readonly #channels = new Map<string, Set<BusHandler>>();
  readonly #log: BusLogger;
  #closed = false;

  constructor(options: { log?: BusLogger } = {}) {
    this.#log = options.log ?? defaultLogger;
  }

  // Not `async` (nothing to await), but argument errors still surface as rejections, as with Redis.
  publish(channel: string, message: unknown): Promise<void> {
    return this.publishAll([channel], message);
  }

  publishAll(channels: readonly string[], message: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("The bus is closed."));
    if (channels.length === 0) return Promise.resolve();
    let json: string;
    try {
      channels.forEach(assertChannel);
      json = encodeMessage(channels[0], message);
    } catch (error) {
      return Promise.reject(error);
    }
    for (const channel of channels) {
      const handlers = this.#channels.get(channel);
      if (!handlers?.size) continue;
      // Snapshot now: like Redis, only those subscribed at publish time receive the message.
      const snapshot = [...handlers];
      queueMicrotask(() => {
        if (!this.#closed) dispatch(channel, json, snapshot.filter((h) => handlers.has(h)), this.#log);
      });
    }
    return Promise.resolve();
  }

  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new Error("The bus is closed."));
    try {
      assertChannel(channel);
    } catch (error) {
      return Promise.reject(error);
    }
    let handlers = this.#channels.get(channel);
    if (!handlers) this.#channels.set(channel, handlers = new Set());
    // Wrap so the same function subscribed twice gets two independent subscriptions, as with Redis listeners.
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    return Promise.resolve(() => {
      const current = this.#channels.get(channel);
      current?.delete(entry);
      if (current?.size === 0) this.#channels.delete(channel);
      return Promise.resolve();
    });
  }

  /** An in-process bus never loses its broker: the listener is never called. */
  onReconnect(_listener: () => void): () => void {
    return () => {};
  }

  ping(): Promise<void> {
    return this.#closed ? Promise.reject(new Error("The bus is closed.")) : Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    return Promise.resolve();
  }
}
