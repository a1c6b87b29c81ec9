/**
 * Fan-out of a user's account changes and notifications to their Server-Sent-Event streams in one process.
 *
 * One bus subscription per user (`user:<id>`, see `userChannel`) shared by all of the user's local streams.
 * A frame's `id:` line is the stream's position after it (user_stream_id.ts), so it depends on the stream;
 * but streams at the same position get the same id, and a change goes to thousands of streams at one
 * position: a frame's bytes with the id in front are built once per position it is sent from (`chunks`)
 * and that one chunk is enqueued to each of them, so a stream costs one enqueue and no string work.
 * Each account and the notifications are ordered logs of their own, so a stream checks every live frame
 * against its position in that log: a frame that starts where the stream is goes out, one at or below it
 * is a duplicate and dropped, anything else is a gap — then the stream holds every live frame back, reads
 * the gap from the database (reads shared by the user's streams), and goes on.
 * Caps, sessions and heartbeats are the process's `SinkSet`, shared with the account streams.
 */
import type { Bus, Unsubscribe } from "../bus/mod.ts";
import { userChannel } from "../bus/channels.ts";
import { BusChannels } from "../accounts/bus_channels.ts";
import { Sink, type SinkSet } from "../accounts/stream_sinks.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import { encodePositions, type Positions } from "./user_stream_id.ts";

/** The key of the notification log in a stream's positions and frames (account logs go by account id). */
export const NOTIFICATIONS = "";

/** One event of the user stream without its `id:` line. */
export interface UserFrame {
  /** The log it belongs to: an account id, or `NOTIFICATIONS`. */
  readonly key: string;
  readonly version: number;
  /** The position in that log the event starts from (-1: the account's opening). */
  readonly previous: number;
  readonly bytes: Uint8Array;
}

/** Where the hub reads what the bus did not (or not yet) deliver, and where the logs are now. */
export interface UserLog {
  /** The logged changes of `accountId` (an account of `userId`) above `after`, oldest first. */
  changes(userId: string, accountId: string, after: number, limit: number): Promise<UserFrame[]>;
  /** The user's notifications above `after`, oldest first. */
  notifications(userId: string, after: number, limit: number): Promise<UserFrame[]>;
  /** The user's logs as they are now. */
  positions(userId: string): Promise<Positions>;
  /** Decodes a message of the user's bus channel; null for a malformed one. */
  frameOf(userId: string, message: unknown): UserFrame | null;
}

export class UserSubscriber extends Sink {
  /** Account id → the version of the last change sent; absent: none sent yet (-1). */
  readonly accounts = new Map<string, number>();
  notifications = 0;
  /** Live frames held back while the stream catches up from the logs; null once it is live. */
  backlog: UserFrame[] | null = [];
  /**
   * `positionKey` of `accounts` and `notifications`, kept up to date as frames are sent (null: not known,
   * work it out). Streams at one position share the one string the shared chunk carries.
   */
  at: string | null = null;
  constructor(
    readonly channel: UserChannel,
    out: ReadableStreamDefaultController<Uint8Array>,
    owner?: StreamOwner,
  ) {
    super(out, owner);
  }
  detach(): void {
    void this.channel.hub.leave(this);
  }
  sent(key: string): number {
    return key === NOTIFICATIONS ? this.notifications : this.accounts.get(key) ?? -1;
  }
}

class UserChannel {
  readonly members = new Set<UserSubscriber>();
  /** Log reads in flight, keyed by log and position: streams at the same place share one query. */
  readonly reads = new Map<string, Promise<UserFrame[]>>();
  subscribed!: Promise<Unsubscribe>;
  constructor(readonly key: string, readonly hub: UserStreamHub) {}
}

const encoder = new TextEncoder();

/** A frame as sent from one position: the id line of the position it leads to, then the frame. */
interface Chunk {
  /** `positionKey` after the frame. */
  readonly at: string;
  readonly bytes: Uint8Array;
}

/**
 * A stream's positions as a string: the notification seq and every account's full id and version, in the
 * order of the stream's map (what `encodePositions` writes, so equal keys give equal ids). Full ids, unlike
 * the 8-digit keys of the wire id: two streams at equal keys then hold equal positions, so one frame
 * moves both to the same place.
 */
function positionKey(positions: Positions): string {
  let key = String(positions.notifications);
  for (const [accountId, version] of positions.accounts) key += ` ${accountId}:${version}`;
  return key;
}

/**
 * The chunks of each frame by the position it is sent from. Weak: a frame is dropped with its chunks once
 * it was fanned out (or its backlog and log reads let go of it).
 */
const chunks = new WeakMap<UserFrame, Map<string, Chunk>>();

export class UserStreamHub {
  readonly #log: UserLog;
  readonly #sinks: SinkSet;
  readonly #pageSize: number;
  readonly #channels: BusChannels<UserChannel>;

  constructor(bus: Bus, log: UserLog, sinks: SinkSet, options: { pageSize?: number } = {}) {
    this.#log = log;
    this.#sinks = sinks;
    this.#pageSize = options.pageSize ?? 500;
    this.#channels = new BusChannels<UserChannel>(bus, {
      name: userChannel,
      create: (key) => new UserChannel(key, this),
      receive: (channel, message) => this.#receive(channel, message),
      log: sinks.log,
    });
    bus.onReconnect(() => void this.resync());
  }

  /** Local user streams and user channels. */
  get stats(): { streams: number; channels: number } {
    let streams = 0;
    for (const channel of this.#channels.values()) streams += channel.members.size;
    return { streams, channels: this.#channels.size };
  }

  /**
   * Adds a stream of `userId`; resolves once the user's channel is subscribed (until `start` the stream
   * buffers what arrives). Rejects with 429 at a cap, or when the bus cannot subscribe.
   */
  async join(
    userId: string,
    out: ReadableStreamDefaultController<Uint8Array>,
    owner?: StreamOwner,
  ): Promise<UserSubscriber> {
    const channel = this.#channels.open(userId);
    const sub = new UserSubscriber(channel, out, owner);
    try {
      this.#sinks.admit(sub);
    } catch (error) {
      await this.#channels.close(channel);
      throw error;
    }
    channel.members.add(sub);
    try {
      await channel.subscribed;
    } catch (error) {
      await this.leave(sub);
      throw error;
    }
    return sub;
  }

  /**
   * Makes a joined stream live from `from` (the snapshot's positions or the resuming client's): reads the
   * logs named in `replay` after those positions, then drains what arrived meanwhile.
   */
  async start(sub: UserSubscriber, from: Positions, replay: Iterable<string>): Promise<void> {
    sub.notifications = from.notifications;
    for (const [id, version] of from.accounts) sub.accounts.set(id, version);
    sub.at = null;
    await this.#catchUp(sub, new Set(replay));
  }

  /** Removes a stream; the user's last stream unsubscribes the channel. Idempotent. */
  async leave(sub: UserSubscriber): Promise<void> {
    if (!this.#sinks.release(sub)) return;
    sub.backlog = null;
    if (!sub.channel.members.delete(sub)) return;
    await this.#channels.close(sub.channel);
  }

  /** After the bus reconnected: each live stream reads whatever log moved past it meanwhile. */
  async resync(): Promise<void> {
    for (const channel of [...this.#channels.values()]) {
      try {
        const now = await this.#log.positions(channel.key);
        for (const sub of channel.members) {
          if (sub.backlog) continue; // catching up already
          const behind = [...now.accounts].filter(([id, v]) => v > sub.sent(id)).map(([id]) => id);
          if (now.notifications > sub.notifications) behind.push(NOTIFICATIONS);
          if (behind.length === 0) continue;
          sub.backlog = [];
          this.#catchUp(sub, new Set(behind)).catch((error) => this.#fail(sub, error));
        }
      } catch (error) {
        this.#sinks.log(`resyncing the streams of user ${channel.key} failed`, error);
      }
    }
  }

  #receive(channel: UserChannel, message: unknown): void {
    const frame = this.#log.frameOf(channel.key, message);
    if (!frame) {
      this.#sinks.log(`ignoring a malformed message on the channel of user ${channel.key}`);
      return;
    }
    for (const sub of channel.members) this.#offer(sub, frame);
  }

  #offer(sub: UserSubscriber, frame: UserFrame): void {
    if (sub.backlog) {
      sub.backlog.push(frame);
      return;
    }
    const at = sub.sent(frame.key);
    if (frame.version <= at) return;
    if (frame.previous === at) {
      this.#write(sub, frame, true);
      return;
    }
    // A gap: a message the bus lost, or one not delivered yet (reordered across processes). The log knows.
    sub.backlog = [frame];
    this.#catchUp(sub, new Set([frame.key])).catch((error) => this.#fail(sub, error));
  }

  /**
   * Sends the logs in `reads` after the stream's positions, then the held-back live frames in arrival
   * order; a held-back frame that does not start where its log is makes that log read again (frames of
   * other logs go on). Ends with the stream live (backlog null).
   */
  async #catchUp(sub: UserSubscriber, reads: Set<string>): Promise<void> {
    while (!sub.closed) {
      for (const key of [...reads]) {
        const frames = await this.#readAfter(sub.channel, key, sub.sent(key));
        for (const frame of frames) {
          if (sub.closed) return;
          if (frame.version > sub.sent(key) && !this.#write(sub, frame, false)) return;
        }
        if (frames.length < this.#pageSize) reads.delete(key);
      }
      if (sub.closed) return;
      if (reads.size > 0) continue;
      // No await from here on: nothing can be offered while the backlog is being drained.
      const pending = sub.backlog ?? [];
      sub.backlog = null;
      const held: UserFrame[] = [];
      for (const frame of pending) {
        if (reads.has(frame.key)) {
          held.push(frame);
          continue;
        }
        const at = sub.sent(frame.key);
        if (frame.version <= at) continue;
        if (frame.previous !== at) {
          reads.add(frame.key);
          held.push(frame);
        } else if (!this.#write(sub, frame, false)) return;
      }
      if (held.length === 0) return;
      sub.backlog = held;
    }
  }

  #readAfter(channel: UserChannel, key: string, after: number): Promise<UserFrame[]> {
    const id = `${key}@${after}`;
    let read = channel.reads.get(id);
    if (!read) {
      read = key === NOTIFICATIONS
        ? this.#log.notifications(channel.key, after, this.#pageSize)
        : this.#log.changes(channel.key, key, after, this.#pageSize);
      channel.reads.set(id, read);
      // Forget it once settled: a stream that arrives later may need rows committed after this query.
      const forget = () => channel.reads.get(id) === read && channel.reads.delete(id);
      read.then(forget, forget);
    }
    return read;
  }

  /** Sends `frame` with the stream's new position as its id (one chunk, shared with streams at its place). */
  #write(sub: UserSubscriber, frame: UserFrame, limit: boolean): boolean {
    const from = sub.at ?? positionKey(sub);
    if (frame.key === NOTIFICATIONS) sub.notifications = frame.version;
    else sub.accounts.set(frame.key, frame.version);
    let byPosition = chunks.get(frame);
    if (!byPosition) chunks.set(frame, byPosition = new Map());
    let chunk = byPosition.get(from);
    if (!chunk) {
      const id = encoder.encode(`id: ${encodePositions(sub)}\n`);
      const bytes = new Uint8Array(id.length + frame.bytes.length);
      bytes.set(id);
      bytes.set(frame.bytes, id.length);
      chunk = { at: positionKey(sub), bytes };
      byPosition.set(from, chunk);
    }
    sub.at = chunk.at;
    return this.#sinks.write(sub, chunk.bytes, limit);
  }

  #fail(sub: UserSubscriber, error: unknown): void {
    this.#sinks.log(`catching up a stream of user ${sub.channel.key} failed; dropping it`, error);
    this.#sinks.drop(sub, error);
  }
}
