/**
 * The open event streams of one process, whatever they carry (one account's changes, or a user's): their
 * caps and sessions (`StreamGuard`), one heartbeat timer for all of them, and how bytes reach a client — so
 * the account hub (`stream_hub.ts`) and the user hub (`user_stream_hub.ts`) share one cap per user and
 * address and one timer.
 */
import { type SessionCheck, StreamGuard, type StreamGuardOptions, type StreamOwner } from "./stream_guard.ts";
import { HEARTBEAT, SESSION_ENDED } from "./stream_frames.ts";
import { reportTo } from "../log.ts";

/** One open stream of one client: where its bytes go, whose it is, and how its hub lets go of it. */
export abstract class Sink {
  closed = false;
  /** Something was sent since the last heartbeat tick: this stream needs no `: hb` at the next one. */
  sentSinceBeat = false;
  constructor(
    readonly out: ReadableStreamDefaultController<Uint8Array>,
    readonly owner?: StreamOwner,
  ) {}
  /** Removes the stream from its hub (after `SinkSet.end`/`drop`, or when the client went away). */
  abstract detach(): void;
}

export interface SinkSetOptions extends StreamGuardOptions {
  /** Interval of the `: hb` comments that keep proxies from timing out idle streams (default 15 s). */
  heartbeatMs?: number;
  /** Frames a client may leave unread before it is dropped (it reconnects and resumes; default 1024). */
  maxQueued?: number;
  log?: (message: string, error?: unknown) => void;
  /** Which sessions of open streams ended (without it, streams are not tied to their sessions). */
  checkSessions?: SessionCheck;
}

export class SinkSet {
  readonly log: (message: string, error?: unknown) => void;
  readonly #all = new Set<Sink>();
  readonly #guard: StreamGuard<Sink>;
  readonly #heartbeatMs: number;
  readonly #maxQueued: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: SinkSetOptions = {}) {
    this.log = options.log ?? reportTo("streams");
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#maxQueued = options.maxQueued ?? 1024;
    this.#guard = new StreamGuard<Sink>({
      ...options,
      check: options.checkSessions,
      end: (sink) => this.end(sink),
      log: this.log,
    });
  }

  /** Open streams of every kind. */
  get size(): number {
    return this.#all.size;
  }

  /** Ends every stream of these sessions now (they were revoked). */
  endSessions(sessionIds: Iterable<string>): void {
    this.#guard.endSessions(sessionIds);
  }

  /** Counts `sink` against its owner's caps (throws 429 `too_many_streams` at a cap) and heartbeats it. */
  admit(sink: Sink): void {
    this.#guard.admit(sink);
    this.#all.add(sink);
    if (this.#timer === undefined) this.#startHeartbeat();
  }

  /** Marks `sink` closed and forgets it; false when it was closed already (so a hub leaves once). */
  release(sink: Sink): boolean {
    if (sink.closed) return false;
    sink.closed = true;
    if (!this.#all.delete(sink)) return true; // never admitted (refused at a cap)
    this.#guard.release(sink);
    if (this.#all.size === 0) this.#stopHeartbeat();
    return true;
  }

  /** Enqueues `bytes`; a client that has left too much unread (`limit`) is dropped instead. */
  write(sink: Sink, bytes: Uint8Array, limit: boolean): boolean {
    if (sink.closed) return false;
    if (limit && (sink.out.desiredSize ?? 0) < -this.#maxQueued) {
      this.drop(sink, new Error("The client reads too slowly; reconnect with Last-Event-ID."));
      return false;
    }
    try {
      sink.out.enqueue(bytes);
      sink.sentSinceBeat = true;
      return true;
    } catch {
      // The body was closed under us (client gone): the stream's cancel() also leaves; this covers races.
      sink.detach();
      return false;
    }
  }

  /**
   * Ends a stream whose session ended: what is queued is still delivered, then the `ended` frame (so the
   * client stops reconnecting and signs in again), nothing after it.
   */
  end(sink: Sink): void {
    if (sink.closed) return;
    try {
      sink.out.enqueue(SESSION_ENDED);
      sink.out.close();
    } catch { /* already closed */ }
    sink.detach();
  }

  /** Ends a stream with an error: the queue is discarded and the client's EventSource reconnects. */
  drop(sink: Sink, reason: unknown): void {
    if (sink.closed) return;
    try {
      sink.out.error(reason);
    } catch { /* already closed */ }
    sink.detach();
  }

  #startHeartbeat(): void {
    const timer = setInterval(() => {
      // Only streams that were sent nothing since the last tick: a frame keeps a proxy's idle timer at bay
      // as well as a comment does, and a busy process then spends no tick writing to every stream.
      for (const sink of this.#all) {
        if (sink.sentSinceBeat) sink.sentSinceBeat = false;
        else if (this.write(sink, HEARTBEAT, true)) sink.sentSinceBeat = false;
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
