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
import { changeFrame, type Frame, HEARTBEAT } from "./stream_frames.ts";
import { type SessionCheck, StreamGuard, type StreamGuardOptions, type StreamOwner } from "./stream_guard.ts";
import { reportTo } from "../log.ts";

/**
 * Reads the logged changes of `accountId` with a version above `after`, oldest first, at most `limit`:
 * where a stream catches up on what the bus did not (or not yet) deliver.
 */
export type ChangeReader = (accountId: string, after: number, limit: number) => Promise<Frame[]>;

export interface StreamHubOptions extends StreamGuardOptions {
  /** Interval of the `: hb` comments that keep proxies from timing out idle streams (default 15 s). */
  heartbeatMs?: number;
  /** Frames a client may leave unread before it is dropped (it reconnects and resumes; default 1024). */
  maxQueued?: number;
  /** Rows per change-log read (default 500). */
  pageSize?: number;
  log?: (message: string, error?: unknown) => void;
  /** Which sessions of open streams ended (without it, streams are not tied to their sessions). */
  checkSessions?: SessionCheck;
}

/** One stream of one client. Deliberately small: 10,000 of these must fit in a few hundred KB. */
export class Subscriber {
  /** The version of the last change (or snapshot) this client has been sent. */
  sent = -1;
  /** Live frames held back while the stream catches up from the log; null once it is live. */
  backlog: Frame[] | null = [];
  closed = false;
  constructor(
    readonly channel: Channel,
    readonly out: ReadableStreamDefaultController<Uint8Array>,
    readonly owner?: StreamOwner,
  ) {}
}

class Channel {
  readonly subscribers = new Set<Subscriber>();
  /** Log reads in flight, keyed by `after`: streams at the same version share one query. */
  readonly reads = new Map<number, Promise<Frame[]>>();
  subscribed!: Promise<Unsubscribe>;
  constructor(readonly accountId: string) {}
}

export class StreamHub {
  readonly #bus: Bus;
  readonly #read: ChangeReader;
  readonly #heartbeatMs: number;
  readonly #maxQueued: number;
  readonly #pageSize: number;
  readonly #log: (message: string, error?: unknown) => void;
  readonly #channels = new Map<string, Channel>();
  readonly #guard: StreamGuard<Subscriber>;
  #streams = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(bus: Bus, read: ChangeReader, options: StreamHubOptions = {}) {
    this.#bus = bus;
    this.#read = read;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#maxQueued = options.maxQueued ?? 1024;
    this.#pageSize = options.pageSize ?? 500;
    this.#log = options.log ?? reportTo("streams");
    this.#guard = new StreamGuard<Subscriber>({
      ...options,
      check: options.checkSessions,
      end: (sub) => this.#end(sub),
      log: this.#log,
    });
    // Pub/sub keeps nothing for a subscriber that was away: after a reconnect, re-read what was missed.
    bus.onReconnect(() => void this.resync());
  }

  /** Local streams and account channels (health checks, tests, the SSE benchmark). */
  get stats(): { streams: number; channels: number } {
    return { streams: this.#streams, channels: this.#channels.size };
  }

  /** Ends every stream of these sessions now (they were revoked). */
  endSessions(sessionIds: Iterable<string>): void {
    this.#guard.endSessions(sessionIds);
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
    let channel = this.#channels.get(accountId);
    if (!channel) {
      const created = channel = new Channel(accountId);
      created.subscribed = this.#bus.subscribe(accountChannel(accountId), (m) => this.#receive(created, m));
      this.#channels.set(accountId, created);
      // A failed SUBSCRIBE must not stay cached, or later streams would never retry it.
      created.subscribed.catch(() => {
        if (this.#channels.get(accountId) === created) this.#channels.delete(accountId);
      });
    }
    const sub = new Subscriber(channel, out, owner);
    try {
      this.#guard.admit(sub);
    } catch (error) {
      if (channel.subscribers.size === 0) await this.#leaveChannel(channel);
      throw error;
    }
    channel.subscribers.add(sub);
    if (++this.#streams === 1) this.#startHeartbeat();
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
    if (sub.closed) return;
    sub.closed = true;
    sub.backlog = null;
    this.#guard.release(sub);
    const { channel } = sub;
    channel.subscribers.delete(sub);
    if (--this.#streams === 0) this.#stopHeartbeat();
    if (channel.subscribers.size > 0) return;
    await this.#leaveChannel(channel);
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
          this.#log(`resyncing ${channel!.accountId} after a bus reconnect failed`, error)
        );
      }
    };
    await Promise.all(Array.from({ length: 4 }, next));
  }

  async #resyncChannel(channel: Channel): Promise<void> {
    // Streams still opening (nothing sent yet) read what they need when they start.
    const started = [...channel.subscribers].filter((sub) => sub.sent >= 0);
    let after = Math.min(...started.map((sub) => sub.sent));
    while (channel.subscribers.size > 0 && Number.isFinite(after)) {
      const frames = await this.#readAfter(channel, after);
      for (const frame of frames) for (const sub of channel.subscribers) this.#offer(sub, frame);
      if (frames.length < this.#pageSize) return;
      after = frames[frames.length - 1].version;
    }
  }

  /** Unsubscribes a channel that has no stream left (unless a newer one replaced it). */
  async #leaveChannel(channel: Channel): Promise<void> {
    if (channel.subscribers.size > 0 || this.#channels.get(channel.accountId) !== channel) return;
    this.#channels.delete(channel.accountId);
    // A channel whose SUBSCRIBE failed has nothing to leave (join reported that failure already).
    const unsubscribe = await channel.subscribed.catch(() => null);
    await unsubscribe?.().catch((error) => this.#log(`leaving ${channel.accountId} failed`, error));
  }

  #receive(channel: Channel, message: unknown): void {
    const change = message as
      | { accountId?: unknown; stateVersion?: unknown; previousVersion?: unknown }
      | null;
    const version = change?.stateVersion;
    if (
      change?.accountId !== channel.accountId || typeof version !== "number" || !Number.isSafeInteger(version)
    ) {
      this.#log(`ignoring a malformed change on ${channel.accountId}`);
      return;
    }
    const frame = changeFrame(version, change.previousVersion, message);
    for (const sub of channel.subscribers) this.#offer(sub, frame);
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
        this.#log(`catching up ${sub.channel.accountId} failed; dropping the stream`, error);
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
      read = this.#read(channel.accountId, after, this.#pageSize);
      channel.reads.set(after, read);
      // Forget it once settled: a stream that arrives later may need rows committed after this query.
      const forget = () => channel.reads.get(after) === read && channel.reads.delete(after);
      read.then(forget, forget);
    }
    return read;
  }

  /** Enqueues `bytes`; a client that has left too much unread (`limit`) is dropped instead. */
  #write(sub: Subscriber, bytes: Uint8Array, limit: boolean): boolean {
    if (sub.closed) return false;
    if (limit && (sub.out.desiredSize ?? 0) < -this.#maxQueued) {
      this.#drop(sub, new Error("The client reads too slowly; reconnect with Last-Event-ID."));
      return false;
    }
    try {
      sub.out.enqueue(bytes);
      return true;
    } catch {
      // The body was closed under us (client gone): the stream's cancel() also leaves; this covers races.
      void this.leave(sub);
      return false;
    }
  }

  /** Ends a stream whose session ended: what is queued is still delivered, nothing after it. */
  #end(sub: Subscriber): void {
    if (sub.closed) return;
    try {
      sub.out.close();
    } catch { /* already closed */ }
    void this.leave(sub);
  }

  /** Ends a stream with an error: the queue is discarded and the client's EventSource reconnects. */
  #drop(sub: Subscriber, reason: unknown): void {
    if (sub.closed) return;
    try {
      sub.out.error(reason);
    } catch { /* already closed */ }
    void this.leave(sub);
  }

  #startHeartbeat(): void {
    const timer = setInterval(() => {
      for (const channel of this.#channels.values()) {
        for (const sub of channel.subscribers) this.#write(sub, HEARTBEAT, true);
      }
    }, this.#heartbeatMs);
    // Open streams must not keep a process (or a test) alive on their own.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #stopHeartbeat(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
