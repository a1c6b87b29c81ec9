/**
 * Ref-counted bus subscriptions of a stream hub: one SUBSCRIBE per channel however many local streams
 * listen on it, left when its last stream leaves. A failed SUBSCRIBE is not cached, so the next stream
 * retries it.
 */
import type { Bus, Unsubscribe } from "../bus/mod.ts";

/** What a hub keeps per channel: its key, its local streams, its subscription. */
export interface HubChannel {
  readonly key: string;
  readonly members: Set<unknown>;
  subscribed: Promise<Unsubscribe>;
}

export class BusChannels<C extends HubChannel> {
  readonly #map = new Map<string, C>();

  constructor(
    private readonly bus: Bus,
    private readonly options: {
      /** The bus channel of a key (`account:<id>`, `user:<id>`). */
      name: (key: string) => string;
      create: (key: string) => C;
      receive: (channel: C, message: unknown) => void;
      log: (message: string, error?: unknown) => void;
    },
  ) {}

  get size(): number {
    return this.#map.size;
  }

  values(): IterableIterator<C> {
    return this.#map.values();
  }

  /** The channel of `key`, subscribing it first if no local stream listens yet (await `subscribed`). */
  open(key: string): C {
    let channel = this.#map.get(key);
    if (channel) return channel;
    const created = channel = this.options.create(key);
    created.subscribed = this.bus.subscribe(this.options.name(key), (m) => this.options.receive(created, m));
    this.#map.set(key, created);
    created.subscribed.catch(() => {
      if (this.#map.get(key) === created) this.#map.delete(key);
    });
    return created;
  }

  /** Unsubscribes a channel that has no stream left (unless a newer one replaced it). */
  async close(channel: C): Promise<void> {
    if (channel.members.size > 0 || this.#map.get(channel.key) !== channel) return;
    this.#map.delete(channel.key);
    // A channel whose SUBSCRIBE failed has nothing to leave (join reported that failure already).
    const unsubscribe = await channel.subscribed.catch(() => null);
    await unsubscribe?.().catch((error) => this.options.log(`leaving ${channel.key} failed`, error));
  }
}
