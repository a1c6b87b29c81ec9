/**
 * Who holds the streams of one process: caps per user and per address, and the end of every stream whose
 * session ended (logout, revocation, password or role change, suspension, expiry).
 *
 * Sessions are tracked by id, so one timer per process checks all of them in one query (`check`) however
 * many streams are open; an announcement on the bus (`endSessions`) ends streams at once, the timer within
 * `checkMs` otherwise — also for revocations made by another process or straight in the database.
 *
 * The caps count this process's streams only. What they protect is per process (its sockets and memory:
 * DESIGN §5 budgets 10,000 streams per process), the count is exact (released when the connection closes,
 * so a crash or a Redis outage can never leak a slot), and opening a stream costs no round trip. Behind a
 * balancer with P processes a user holds at most P × the cap.
 */
import { HttpError } from "../../lib/errors.ts";
import type { Role } from "../auth/roles.ts";

/** Whose stream it is: the session it was opened in, its user and role, and the client's address. */
export interface StreamOwner {
  readonly sessionId: string;
  readonly userId: string;
  readonly role: Role;
  readonly ip: string | null;
}

/** The ids among these sessions that can no longer hold a stream. */
export type SessionCheck = (sessions: { id: string; role: Role }[]) => Promise<string[]>;

export interface StreamGuardOptions {
  /** Open streams one user may hold in this process (default 10: a few tabs, devices and tools). */
  maxStreamsPerUser?: number;
  /** Open streams one address may hold in this process (default 50: an office behind one NAT). */
  maxStreamsPerIp?: number;
  /** How often sessions are re-checked (default 500 ms, so a stream ends within a second). */
  sessionCheckMs?: number;
}

export const DEFAULT_MAX_STREAMS_PER_USER = 10;
export const DEFAULT_MAX_STREAMS_PER_IP = 50;

/** Sessions per liveness query. */
const CHECK_SLICE = 2000;

/** What a refused client is told to wait: about one reconnect delay of an EventSource. */
const RETRY_AFTER_SECONDS = 3;

interface Held<S> {
  role: Role;
  streams: Set<S>;
}

export class StreamGuard<S extends { readonly owner?: StreamOwner }> {
  readonly #check: SessionCheck | undefined;
  readonly #end: (stream: S) => void;
  readonly #log: (message: string, error?: unknown) => void;
  readonly #perUser: number;
  readonly #perIp: number;
  readonly #checkMs: number;
  readonly #sessions = new Map<string, Held<S>>();
  readonly #users = new Map<string, number>();
  readonly #ips = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #checking = false;

  constructor(
    options: StreamGuardOptions & {
      check?: SessionCheck;
      end: (stream: S) => void;
      log: (message: string, error?: unknown) => void;
    },
  ) {
    this.#check = options.check;
    this.#end = options.end;
    this.#log = options.log;
    this.#perUser = options.maxStreamsPerUser ?? DEFAULT_MAX_STREAMS_PER_USER;
    this.#perIp = options.maxStreamsPerIp ?? DEFAULT_MAX_STREAMS_PER_IP;
    this.#checkMs = options.sessionCheckMs ?? 500;
  }

  /** Sessions holding streams (health checks, tests). */
  get sessions(): number {
    return this.#sessions.size;
  }

  /** Records `stream` for its owner, or throws 429 `too_many_streams` when the user or address is at its cap. */
  admit(stream: S): void {
    const owner = stream.owner;
    if (!owner) return;
    const ip = owner.ip ?? "unknown";
    if ((this.#users.get(owner.userId) ?? 0) >= this.#perUser) {
      throw tooMany(`At most ${this.#perUser} open streams per user; close one first.`);
    }
    if ((this.#ips.get(ip) ?? 0) >= this.#perIp) {
      throw tooMany(`At most ${this.#perIp} open streams per address; close one first.`);
    }
    this.#users.set(owner.userId, (this.#users.get(owner.userId) ?? 0) + 1);
    this.#ips.set(ip, (this.#ips.get(ip) ?? 0) + 1);
    let held = this.#sessions.get(owner.sessionId);
    if (held && held.role !== owner.role) {
      // The role changed under a live session: what was opened under the old role must not go on.
      this.endSessions([owner.sessionId]);
      held = undefined;
    }
    if (!held) this.#sessions.set(owner.sessionId, held = { role: owner.role, streams: new Set() });
    held.streams.add(stream);
    // One timer however many streams: not "when the first session appears", which every further stream
    // of that session also saw (a leaked 500 ms interval per stream, each querying the sessions).
    if (this.#timer === undefined && this.#check) this.#startTimer();
  }

  /** Forgets `stream` (it closed). Call once per admitted stream. */
  release(stream: S): void {
    const owner = stream.owner;
    if (!owner) return;
    decrement(this.#users, owner.userId);
    decrement(this.#ips, owner.ip ?? "unknown");
    const held = this.#sessions.get(owner.sessionId);
    if (!held?.streams.delete(stream) || held.streams.size > 0) return;
    this.#sessions.delete(owner.sessionId);
    if (this.#sessions.size === 0) this.#stopTimer();
  }

  /** Ends every stream of these sessions now. */
  endSessions(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) {
      const held = this.#sessions.get(id);
      if (!held) continue;
      for (const stream of [...held.streams]) this.#end(stream);
    }
  }

  /** One check of every held session; overlapping ticks are skipped (a slow database must not pile up). */
  async checkNow(): Promise<void> {
    if (!this.#check || this.#checking || this.#sessions.size === 0) return;
    this.#checking = true;
    try {
      const held = [...this.#sessions].map(([id, { role }]) => ({ id, role }));
      // In slices: 10,000 ids in one query take ~30 ms, which the embedded (in-process) database would
      // spend on the event loop in one go.
      for (let i = 0; i < held.length; i += CHECK_SLICE) {
        this.endSessions(await this.#check(held.slice(i, i + CHECK_SLICE)));
      }
    } catch (error) {
      this.#log("checking the sessions of open streams failed; retrying", error);
    } finally {
      this.#checking = false;
    }
  }

  #startTimer(): void {
    this.#timer = setInterval(() => void this.checkNow(), this.#checkMs);
    // Open streams must not keep a process (or a test) alive on their own.
    Deno.unrefTimer(this.#timer);
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function tooMany(message: string): HttpError {
  return new HttpError(429, "too_many_streams", message, undefined, {
    "retry-after": String(RETRY_AFTER_SECONDS),
  });
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
