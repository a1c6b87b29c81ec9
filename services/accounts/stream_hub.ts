/**
 * Fan-out of account changes to the Server-Sent-Event streams of one process.
 *
 * One bus subscription per account channel, shared by every local stream of that account (ref-counted:
 * the channel is left when its last stream leaves), and one heartbeat timer for all streams. A change is
 * encoded once and the same bytes are enqueued to every stream, so a stream costs its `Subscriber` (a
 * version, a state and the body controller) plus what the HTTP layer holds per connection.
 *
 * Ordering: `state_version` grows with every change but not by one per change (a sync batch of n events
 * moves it by n), and the bus is at-most-once and may reorder publishes from different processes. So a
 * stream trusts a live frame only when it starts where the stream is (`previousVersion` = the version last
 * sent); anything else is a gap, re-read from the change log (one query per channel however many streams are
 * waiting: reads are shared), then sent.
 * Frames at or below what a stream has sent are duplicates and dropped.
 */
import type { Bus, Unsubscribe } from "../bus/mod.ts";
import { accountChannel } from "./change_log.ts";
import { changeFrame, type Frame } from "./stream_frames.ts";
import type { StreamOwner } from "./stream_guard.ts";
import { BusChannels } from "./bus_channels.ts";
import { Sink, SinkSet, type SinkSetOptions } from "./stream_sinks.ts";

/**
 * Reads the logged changes of `accountId` with a version above `after`, oldest first, at most `limit`:
 * where a stream catches up on what the bus did not (or not yet) deliver.
 */
export type ChangeReader = (accountId: string, after: number, limit: number) => Promise<Frame[]>;

export interface StreamHubOptions extends SinkSetOptions {
  /** Rows per change-log read (default 500). */
  pageSize?: number;
  /** The process's streams, when another hub shares their caps and heartbeat (default: a new set). */
  sinks?: SinkSet;
}

/** One stream of one client. Deliberately small: 10,000 of these must fit in a few hundred KB. */
export class Subscriber extends Sink {
  /** The version of the last change (or snapshot) this client has been sent. */
  sent = -1;
  /** Live frames held back while the stream catches up from the log; null once it is live. */
  backlog: Frame[] | null = [];
  constructor(
    readonly channel: Channel,
    out: ReadableStreamDefaultController<Uint8Array>,
    owner?: StreamOwner,
  ) {
    super(out, owner);
  }
  detach(): void {
    void this.channel.hub.leave(this);
  }
}

class Channel {
  readonly members = new Set<Subscriber>();
  /** Log reads in flight, keyed by `after`: streams at the same version share one query. */
  readonly reads = new Map<number, Promise<Frame[]>>();
  subscribed!: Promise<Unsubscribe>;
  constructor(readonly key: string, readonly hub: StreamHub) {}
}

export class StreamHub {
  readonly #read: ChangeReader;
  readonly #pageSize: number;
  readonly #log: (message: string, error?: unknown) => void;
  readonly #channels: BusChannels<Channel>;
  readonly #sinks: SinkSet;
  #streams = 0;

  constructor(bus: Bus, read: ChangeReader, options: StreamHubOptions = {}) {
    this.#read = read;
    this.#pageSize = options.pageSize ?? 500;
    this.#sinks = options.sinks ?? new SinkSet(options);
    this.#log = this.#sinks.log;
    this.#channels = new BusChannels<Channel>(bus, {
      name: accountChannel,
      create: (key) => new Channel(key, this),
      receive: (channel, message) => this.#receive(channel, message),
      log: this.#log,
    });
    // Pub/sub keeps nothing for a subscriber that was away: after a reconnect, re-read what was missed.
    bus.onReconnect(() => void this.resync());
  }

  /** Local streams and account channels (health checks, tests, the SSE benchmark). */
  get stats(): { streams: number; channels: number } {
    return { streams: this.#streams, channels: this.#channels.size };
  }

  /** Ends every stream of these sessions now (they were revoked), account and user streams alike. */
  endSessions(sessionIds: Iterable<string>): void {
    this.#sinks.endSessions(sessionIds);
  }

  /**
   * Adds a stream of `accountId` writing to `out`. Resolves once the account's bus subscription is active,
   * so every change committed after that reaches the stream; until `start` the stream buffers them.
   * Rejects (the stream is not added) when the bus cannot subscribe, or with 429 when `owner` (whose session
   * the stream ends with) already holds as many streams as it may.
   */
  async join(
    accountId: string,
    out: ReadableStreamDefaultController<Uint8Array>,
    owner?: StreamOwner,
  ): Promise<Subscriber> {
    const channel = this.#channels.open(accountId);
    const sub = new Subscriber(channel, out, owner);
    try {
      this.#sinks.admit(sub);
    } catch (error) {
      sub.closed = true;
      await this.#channels.close(channel);
      throw error;
    }
    channel.members.add(sub);
    this.#streams++;
    try {
      await channel.subscribed;
    } catch (error) {
      await this.leave(sub);
      throw error;
    }
    return sub;
  }

  /**
   * Makes a joined stream live from `sent` (the snapshot's version, or the client's Last-Event-ID):
   * reads the log after it when `replay` (a resume), then drains what arrived meanwhile. Rejects when the
   * log cannot be read; the caller then leaves and reports the error.
   */
  async start(sub: Subscriber, sent: number, replay: boolean): Promise<void> {
    sub.sent = sent;
    await this.#catchUp(sub, replay);
  }

  /** Removes a stream; the last stream of an account unsubscribes its channel. Idempotent. */
  async leave(sub: Subscriber): Promise<void> {
    if (!this.#sinks.release(sub)) return;
    sub.backlog = null;
    const { channel } = sub;
    if (!channel.members.delete(sub)) return;
    this.#streams--;
    await this.#channels.close(channel);
  }

  /**
   * After the bus reconnected: every channel re-reads its log from the oldest version its streams were sent,
   * and offers those changes as if they had arrived live (each stream takes only what it has not sent).
   * Channels are read a few at a time, so thousands of them do not take every database connection at once.
   */
  async resync(): Promise<void> {
    const channels = [...this.#channels.values()];
    const next = async (): Promise<void> => {
      for (let channel = channels.pop(); channel; channel = channels.pop()) {
        await this.#resyncChannel(channel).catch((error) =>
          this.#log(`resyncing ${channel!.key} after a bus reconnect failed`, error)
        );
      }
    };
    await Promise.all(Array.from({ length: 4 }, next));
  }

  async #resyncChannel(channel: Channel): Promise<void> {
    // Streams still opening (nothing sent yet) read what they need when they start.
    const started = [...channel.members].filter((sub) => sub.sent >= 0);
    let after = Math.min(...started.map((sub) => sub.sent));
    while (channel.members.size > 0 && Number.isFinite(after)) {
      const frames = await this.#readAfter(channel, after);
      for (const frame of frames) for (const sub of channel.members) this.#offer(sub, frame);
      if (frames.length < this.#pageSize) return;
      after = frames[frames.length - 1].version;
    }
  }

  #receive(channel: Channel, message: unknown): void {
    const change = message as
      | { accountId?: unknown; stateVersion?: unknown; previousVersion?: unknown }
      | null;
    const version = change?.stateVersion;
    if (
      change?.accountId !== channel.key || typeof version !== "number" || !Number.isSafeInteger(version)
    ) {
      this.#log(`ignoring a malformed change on ${channel.key}`);
      return;
    }
    const frame = changeFrame(version, change.previousVersion, message);
    for (const sub of channel.members) this.#offer(sub, frame);
  }

  #offer(sub: Subscriber, frame: Frame): void {
    if (sub.backlog) {
      sub.backlog.push(frame);
    } else if (frame.previous === sub.sent && frame.version > sub.sent) {
      if (this.#write(sub, frame.bytes, true)) sub.sent = frame.version;
    } else if (frame.version > sub.sent) {
      // A gap: a change the bus lost, or has not delivered yet (reordered across processes). The log knows.
      sub.backlog = [frame];
      this.#catchUp(sub, true).catch((error) => {
        this.#log(`catching up ${sub.channel.key} failed; dropping the stream`, error);
        this.#drop(sub, error);
      });
    }
  }

  /**
   * Sends the log after `sub.sent` (when `read`) and then the held-back live frames, re-reading the log
   * whenever the next held-back frame is not the next version. Ends with the stream live (backlog null).
   */
  async #catchUp(sub: Subscriber, read: boolean): Promise<void> {
    while (!sub.closed) {
      if (read) {
        const frames = await this.#readAfter(sub.channel, sub.sent);
        for (const frame of frames) {
          if (sub.closed) return;
          if (frame.version > sub.sent && this.#write(sub, frame.bytes, false)) sub.sent = frame.version;
        }
        if (frames.length >= this.#pageSize) continue;
      }
      if (sub.closed) return;
      // No await from here on: nothing can be offered while the backlog is being drained.
      const pending = sub.backlog!;
      sub.backlog = null;
      let i = 0;
      for (; i < pending.length; i++) {
        const frame = pending[i];
        if (frame.version <= sub.sent) continue;
        if (frame.previous !== sub.sent) break;
        if (!this.#write(sub, frame.bytes, false)) return;
        sub.sent = frame.version;
      }
      if (i === pending.length) return;
      sub.backlog = pending.slice(i);
      read = true;
    }
  }

  #readAfter(channel: Channel, after: number): Promise<Frame[]> {
    let read = channel.reads.get(after);
    if (!read) {
      read = this.#read(channel.key, after, this.#pageSize);
      channel.reads.set(after, read);
      // Forget it once settled: a stream that arrives later may need rows committed after this query.
      const forget = () => channel.reads.get(after) === read && channel.reads.delete(after);
      read.then(forget, forget);
    }
    return read;
  }

  #write(sub: Subscriber, bytes: Uint8Array, limit: boolean): boolean {
    return this.#sinks.write(sub, bytes, limit);
  }

  #drop(sub: Subscriber, reason: unknown): void {
    this.#sinks.drop(sub, reason);
  }
}
