/**
 * The risk monitor's fan-out in one process: ONE bus subscription (every account change,
 * `ACCOUNT_CHANGES_CHANNEL`) and ONE in-memory table of the monitored accounts, shared by every staff
 * monitor stream of the process, however many accounts there are.
 *
 * - Loaded when the first monitor opens (subscribe first, then read, so nothing falls between: messages
 *   that arrive while reading are applied after it), dropped when the last one leaves.
 * - A change message updates its row at once (older versions are ignored: messages can be reordered across
 *   processes); a change that may move today's P&L base (a reset, a withdrawal, a new trading day) or that
 *   names an account the table does not know yet is re-read from the database instead.
 * - Changes are coalesced: at most one `rows` event per `flushMs`, encoded once for every stream, carrying
 *   the rows that changed since the last one with only their moving figures (`RowDelta`) — 200 changes of
 *   one account in that window are one delta. Breaches and pauses ride in the same event, after the rows,
 *   with staff actions (a change of kind `admin`: who and why are read from its audit entry).
 *   A throttle, not a delay: a change after a quiet spell goes out on the next turn of the event loop (with
 *   whatever arrived in the same turn) instead of waiting out a window — that wait was most of the time
 *   from a sync to the monitor (bench/admin_monitor.ts) — and what follows gathers until `flushMs` after it.
 * - Each event's id is `<epoch>.<seq>` (the hub's run and its event counter); each row remembers the seq that
 *   last changed it, so a resume within the same run gets exactly the rows changed since, and any other id
 *   a fresh snapshot. The bus is at-most-once: every `reconcileMs` (and when the bus reconnects) the live
 *   accounts' versions are compared with the table and whatever moved is re-read.
 * Caps, session ends and heartbeats are the process's `SinkSet`, shared with the account and user streams.
 */
import type { Bus, Unsubscribe } from "../bus/mod.ts";
import { ACCOUNT_CHANGES_CHANNEL } from "../bus/channels.ts";
import { Sink, type SinkSet } from "../accounts/stream_sinks.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import type { MonitorEntry } from "./queries.ts";
import { fromMinor, toMinor } from "../money_format.ts";
import {
  type BreachItem,
  deltaOf,
  type FeedItem,
  figuresOf,
  monitored,
  type MonitorSnapshot,
  type MonitorStatus,
  type MonitorUpdate,
  newestFirst,
  packRow,
  type StaffActionItem,
} from "./row.ts";

/** Where the hub reads its rows (services/monitor/queries.ts over SQL; tests may fake it). */
export interface MonitorSource {
  /** The live accounts, or the accounts `ids` whatever their status. */
  entries(ids?: string[]): Promise<MonitorEntry[]>;
  /** The latest breaches, pauses and staff actions, newest first. */
  feed(limit: number): Promise<FeedItem[]>;
  /** The staff actions that made these account changes (a change of kind `admin`). */
  staffActions(changes: { accountId: string; stateVersion: number }[]): Promise<StaffActionItem[]>;
  /** Id → state version of every live account. */
  versions(): Promise<Map<string, number>>;
}

export interface MonitorHubOptions {
  /** The least time between two events; changes meanwhile are gathered into the next (default 150 ms). */
  flushMs?: number;
  /** How often the table is checked against the database (default 30 s). */
  reconcileMs?: number;
  /** Feed entries kept (breaches, pauses, staff actions; default 20). */
  feedSize?: number;
}

export class MonitorSubscriber extends Sink {
  /** Set once the snapshot (or the resume) is queued: from then on it gets every event. */
  live = false;
  constructor(
    readonly hub: MonitorHub,
    out: ReadableStreamDefaultController<Uint8Array>,
    owner?: StreamOwner,
  ) {
    super(out, owner);
  }
  detach(): void {
    void this.hub.leave(this);
  }
}

interface Entry extends MonitorEntry {
  /** The event that last changed the row (0: as loaded). */
  seq: number;
  /** Not yet sent in full to the streams (a row that appeared after they opened). */
  added: boolean;
}

/** What the hub reads of a change message (services/accounts/change_log.ts `AccountChange`). */
interface ChangeMessage {
  accountId: string;
  stateVersion: number;
  kind: string;
  account: {
    status: MonitorStatus;
    equity: string;
    initialBalance: string;
    dailyFloor: string | null;
    maxFloor: string | null;
    lastEventAt: string | null;
    nextResetAt: string | null;
  };
  verdicts: {
    type: string;
    evidence?: {
      rule: BreachItem["rule"];
      action: BreachItem["action"];
      at: string;
      floor: string | null;
      observed: string;
    };
  }[];
}

const encoder = new TextEncoder();

export class MonitorHub {
  /** This run of the hub: ids of another run (another process, or before a reload) get a snapshot. */
  epoch = "";
  readonly #bus: Bus;
  readonly #source: MonitorSource;
  readonly #sinks: SinkSet;
  readonly #flushMs: number;
  readonly #reconcileMs: number;
  readonly #feedSize: number;
  readonly #subs = new Set<MonitorSubscriber>();
  #rows = new Map<string, Entry>();
  #feed: (FeedItem & { seq: number })[] = [];
  #seq = 0;
  #changed = new Set<string>();
  #reread = new Set<string>();
  #newFeed: FeedItem[] = [];
  /** Staff changes whose audit entries (who, why) the next flush reads for the feed. */
  #staffChanges: { accountId: string; stateVersion: number }[] = [];
  /** Messages that arrived while the table was being read; applied after it. */
  #early: ChangeMessage[] | null = null;
  #ready: Promise<void> | null = null;
  #subscription: Promise<Unsubscribe> | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #reconcileTimer: ReturnType<typeof setInterval> | undefined;
  #flushing = false;
  /** When the last flush started (performance.now()), for the throttle. */
  #lastFlush = -Infinity;

  constructor(bus: Bus, source: MonitorSource, sinks: SinkSet, options: MonitorHubOptions = {}) {
    this.#bus = bus;
    this.#source = source;
    this.#sinks = sinks;
    this.#flushMs = options.flushMs ?? 150;
    this.#reconcileMs = options.reconcileMs ?? 30_000;
    this.#feedSize = options.feedSize ?? 20;
    bus.onReconnect(() => void this.reconcile());
  }

  /** Open monitor streams and rows held (health checks, tests). */
  get stats(): { streams: number; rows: number; seq: number } {
    return { streams: this.#subs.size, rows: this.#rows.size, seq: this.#seq };
  }

  /**
   * Adds a monitor stream and queues its first event: the rows changed since `lastEventId` when it names a
   * position of this run, a snapshot otherwise. Rejects with 429 at a cap, or when the bus or the database
   * fails (the stream is then left).
   */
  async join(
    out: ReadableStreamDefaultController<Uint8Array>,
    owner: StreamOwner | undefined,
    lastEventId: string | null,
  ): Promise<MonitorSubscriber> {
    const sub = new MonitorSubscriber(this, out, owner);
    this.#sinks.admit(sub);
    this.#subs.add(sub);
    try {
      await this.#start();
    } catch (error) {
      await this.leave(sub);
      throw error;
    }
    if (sub.closed) return sub;
    // No await from here: the first event and `live` are one step, so no flush falls between them.
    const [epoch, at] = (lastEventId ?? "").split(".");
    const seq = Number(at);
    const resumed = epoch === this.epoch && /^\d+$/.test(at ?? "") && seq <= this.#seq;
    out.enqueue(resumed ? this.#since(seq) : this.#snapshot());
    sub.live = true;
    return sub;
  }

  /** Removes a stream; the last one stops the hub (unsubscribes, forgets the table). Idempotent. */
  async leave(sub: MonitorSubscriber): Promise<void> {
    if (!this.#sinks.release(sub)) return;
    if (!this.#subs.delete(sub) || this.#subs.size > 0) return;
    const subscription = this.#subscription;
    this.#stop();
    const unsubscribe = await subscription?.catch(() => null);
    await unsubscribe?.().catch((error) => this.#sinks.log("leaving the monitor channel failed", error));
  }

  /** Compares the table with the database and re-reads every account that moved without a message. */
  async reconcile(): Promise<void> {
    if (!this.#ready) return;
    try {
      await this.#ready;
      const versions = await this.#source.versions();
      for (const [id, version] of versions) {
        const entry = this.#rows.get(id);
        if (!entry || entry.row.version < version) this.#reread.add(id);
      }
      for (const [id, entry] of this.#rows) {
        if (monitored(entry.row.status) && !versions.has(id)) this.#reread.add(id);
      }
      if (this.#reread.size > 0) this.#schedule();
    } catch (error) {
      this.#sinks.log("reconciling the risk monitor failed; retrying later", error);
    }
  }

  #start(): Promise<void> {
    if (this.#ready) return this.#ready;
    this.epoch = crypto.randomUUID().slice(0, 8);
    this.#early = [];
    const subscription = this.#subscription = this.#bus.subscribe(
      ACCOUNT_CHANGES_CHANNEL,
      (m) => this.#receive(m),
    );
    const epoch = this.epoch;
    const ready = this.#ready = (async () => {
      await subscription;
      const [entries, feed] = await Promise.all([
        this.#source.entries(),
        this.#source.feed(this.#feedSize),
      ]);
      if (this.epoch !== epoch || !this.#ready) return; // stopped meanwhile
      this.#rows = new Map(entries.map((e) => [e.row.id, { ...e, seq: 0, added: false }]));
      this.#feed = feed.map((b) => ({ ...b, seq: 0 }));
      const early = this.#early ?? [];
      this.#early = null;
      for (const m of early) this.#apply(m);
      this.#reconcileTimer = setInterval(() => void this.reconcile(), this.#reconcileMs);
      Deno.unrefTimer(this.#reconcileTimer);
    })();
    // A failed start is forgotten, so the next stream tries again.
    ready.catch(() => this.#ready === ready && this.#stop());
    return ready;
  }

  #stop(): void {
    this.#ready = null;
    this.epoch = "";
    this.#subscription = null;
    this.#rows = new Map();
    this.#feed = [];
    this.#changed.clear();
    this.#reread.clear();
    this.#newFeed = [];
    this.#staffChanges = [];
    this.#early = null;
    clearTimeout(this.#flushTimer);
    clearInterval(this.#reconcileTimer);
    this.#flushTimer = this.#reconcileTimer = undefined;
  }

  #receive(message: unknown): void {
    const m = parseChange(message);
    if (!m) return;
    if (this.#early) this.#early.push(m);
    else if (this.#ready) this.#apply(m);
  }

  #apply(m: ChangeMessage): void {
    for (const v of m.verdicts) {
      if ((v.type === "breach" || v.type === "paused") && v.evidence) {
        const e = v.evidence;
        const email = this.#rows.get(m.accountId)?.row.email ?? "";
        this.#newFeed.push({
          kind: "breach",
          accountId: m.accountId,
          email,
          rule: e.rule,
          action: e.action,
          at: e.at,
          floor: e.floor,
          observed: e.observed,
          currency: this.#rows.get(m.accountId)?.row.currency ?? "USD",
        });
        if (!email) this.#reread.add(m.accountId);
      }
    }
    // A staff action: the message does not say who (the trader's own stream carries the same change), the
    // audit entry written with it does.
    if (m.kind === "admin") this.#staffChanges.push({ accountId: m.accountId, stateVersion: m.stateVersion });
    const entry = this.#rows.get(m.accountId);
    if (!entry) {
      if (monitored(m.account.status)) this.#reread.add(m.accountId);
    } else if (m.stateVersion > entry.row.version) {
      const a = m.account;
      if (m.kind !== "sync" || a.nextResetAt !== entry.nextResetAt) {
        // Today's P&L is measured from the day's opening balance, which these changes can move.
        this.#reread.add(m.accountId);
      } else {
        const sodBalance = subtract(entry.row.equity, entry.row.todayPnl);
        entry.row = {
          ...entry.row,
          status: a.status,
          equity: a.equity,
          lastEventAt: a.lastEventAt,
          version: m.stateVersion,
          ...figuresOf({ ...a, sodBalance }),
        };
        this.#changed.add(m.accountId);
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushTimer !== undefined || this.#flushing) return;
    const wait = Math.max(0, this.#lastFlush + this.#flushMs - performance.now());
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush();
    }, wait);
  }

  /** Sends what changed since the last event as one `rows` event to every live stream. */
  async #flush(): Promise<void> {
    const ready = this.#ready;
    this.#flushing = true;
    this.#lastFlush = performance.now();
    try {
      if (this.#reread.size > 0) {
        const ids = [...this.#reread];
        this.#reread.clear();
        const fresh = await this.#source.entries(ids);
        if (this.#ready !== ready) return;
        for (const e of fresh) {
          const entry = this.#rows.get(e.row.id);
          if (entry && entry.row.version > e.row.version) continue; // a newer message came meanwhile
          if (!entry && !monitored(e.row.status)) continue;
          this.#rows.set(e.row.id, { ...e, seq: entry?.seq ?? 0, added: !entry || entry.added });
          this.#changed.add(e.row.id);
        }
        for (const b of this.#newFeed) {
          if (b.kind !== "breach") continue;
          const row = this.#rows.get(b.accountId)?.row ?? fresh.find((e) => e.row.id === b.accountId)?.row;
          if (row) Object.assign(b, { email: row.email, currency: row.currency });
        }
      }
      if (this.#staffChanges.length > 0) {
        const changes = this.#staffChanges;
        this.#staffChanges = [];
        const staff = await this.#source.staffActions(changes);
        if (this.#ready !== ready) return;
        // Oldest first, as the update lists them, in time order with the breaches of the same window.
        this.#newFeed = newestFirst([...this.#newFeed.reverse(), ...staff], Infinity).reverse();
      }
      if (this.#changed.size === 0 && this.#newFeed.length === 0) return;
      const seq = ++this.#seq;
      const update: MonitorUpdate = { rows: [], added: [], feed: this.#newFeed };
      for (const id of this.#changed) {
        const entry = this.#rows.get(id)!;
        entry.seq = seq;
        if (entry.added) update.added.push(packRow(entry.row));
        else update.rows.push(deltaOf(entry.row));
        entry.added = false;
      }
      this.#changed.clear();
      this.#newFeed = [];
      this.#feed = [...update.feed.map((b) => ({ ...b, seq })).reverse(), ...this.#feed]
        .slice(0, this.#feedSize);
      const bytes = this.#event("rows", update);
      for (const sub of this.#subs) if (sub.live) this.#sinks.write(sub, bytes, true);
    } catch (error) {
      this.#sinks.log("updating the risk monitor failed; the next reconcile retries", error);
    } finally {
      this.#flushing = false;
      if (this.#ready === ready && (this.#changed.size > 0 || this.#reread.size > 0)) this.#schedule();
    }
  }

  #snapshot(): Uint8Array {
    const rows = [];
    for (const entry of this.#rows.values()) if (monitored(entry.row.status)) rows.push(packRow(entry.row));
    const data: MonitorSnapshot = { rows, feed: this.#feed.map(({ seq: _, ...b }) => b) };
    return this.#event("snapshot", data);
  }

  /** The catch-up of a stream that last saw event `seq` of this run: every row changed since, in full. */
  #since(seq: number): Uint8Array {
    const update: MonitorUpdate = { rows: [], added: [], feed: [] };
    for (const entry of this.#rows.values()) if (entry.seq > seq) update.added.push(packRow(entry.row));
    update.feed = this.#feed.filter((b) => b.seq > seq).map(({ seq: _, ...b }) => b).reverse();
    return this.#event("rows", update);
  }

  #event(name: string, data: unknown): Uint8Array {
    return encoder.encode(
      `id: ${this.epoch}.${this.#seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`,
    );
  }
}

function parseChange(message: unknown): ChangeMessage | null {
  const m = message as Partial<ChangeMessage> | null;
  if (
    typeof m?.accountId !== "string" || typeof m.stateVersion !== "number" || !m.account ||
    typeof m.account.equity !== "string" || typeof m.account.status !== "string" || !Array.isArray(m.verdicts)
  ) return null;
  return m as ChangeMessage;
}

function subtract(a: string, b: string): string {
  return fromMinor(toMinor(a) - toMinor(b));
}
