/**
 * The marker's writes (services/venue/marker.ts), per tick batch:
 * - a mark with a verdict (breach, pause, objective) and every SL/TP close go through the engine path
 *   (services/venue/engine_path.ts), in one transaction for the accounts concerned: a breach's mark names its
 *   tick and the liquidation closes the positions at that tick's prices;
 * - a new high-water mark without a verdict is written at once by `writeMarks` (services/venue/mark_writer.ts:
 *   the same rows as the engine path, one statement for every account of the batch).
 * Other marks only make the account "dirty": a flush every `flushMs` (1 s) writes each dirty account's latest
 * mark — valued at its own tick's quotes — with `writeMarks`, in chunks of `flushChunk` accounts, so equity
 * samples stay at most one per second per account. Dropping the in-between marks is exact: a mark that is
 * neither a verdict nor a new high only overwrites equity, which the next mark overwrites again. A mark that
 * `writeMarks` cannot write on top of the state it was evaluated on (the account changed or is held by an
 * order being filled), or that derives a notification not yet recorded, takes the engine path instead.
 */
import type { Deps } from "../deps.ts";
import { limitsOf, notificationsOf } from "../notifications/derive.ts";
import { commitVenue, tickMarkId, type VenueWork } from "./engine_path.ts";
import type { Urgent } from "./marker_evaluate.ts";
import type { Holder, PendingMark } from "./marker_holders.ts";
import { type PlainMarks, writePlainMarks } from "./marker_plain.ts";
import type { FlushJob, Job } from "./marker_queue.ts";
import type { MarkerStats } from "./marker_stats.ts";
import { orderGate } from "./order_gate.ts";
import type { CloseRequest } from "./settle.ts";

/**
 * Statements of marks in flight at once (each on its own pooled connection). One: on the 2-core box of issue
 * #14, three 50-account statements at once kept three PostgreSQL backends busy beside the app, so the app's
 * loop and an order's statements waited for a core (bench:venue, quiet box: event-loop lag p99 7.9 → 4.4 ms,
 * a bare write from a worker p99 8.8 → 5.8 ms, market order p99 23.6 → 10.0 ms), while a flush of 2,000
 * accounts still ends within its second (p50 ~0.45 s instead of ~0.25 s).
 */
const PARALLEL = 1;
/** The longest a statement of marks waits for the orders in flight (services/venue/order_gate.ts). */
const ORDER_WAIT_MS = 50;
/** How long after an order or close an account counts as trading (its marks are written alone). */
const TRADING_MS = 60_000;

/** Writes the marks of the marker's `holders` (its own map: the writes update their state and row). */
export class MarkerWrites {
  /** When each account's book last changed (orders, closes: `venue:book`), for `#writePlain`. */
  #trading = new Map<string, number>();
  #flushing = false;

  constructor(
    private readonly deps: Pick<Deps, "db" | "bus">,
    private readonly holders: ReadonlyMap<string, Holder>,
    private readonly stats: MarkerStats,
    private readonly opts: { flushChunk?: number },
    /** The marker's own: it re-reads the accounts after an engine-path commit, and queues a flush's rest. */
    private readonly marker: { reload(ids: string[]): Promise<void>; enqueue(job: Job): void },
  ) {}

  /** A flush is still writing its chunks (the timer queues no other meanwhile). */
  get flushing(): boolean {
    return this.#flushing;
  }

  /** The books of `ids` changed now (`venue:book`): their marks get statements of their own for a while. */
  traded(ids: readonly string[]): void {
    const now = performance.now();
    for (const id of ids) this.#trading.set(id, now);
  }

  /** Writes a batch's urgent marks: plain ones with `writeMarks`, the rest (and those left) by the engine path. */
  async writeUrgent(urgent: Map<string, Urgent>): Promise<void> {
    if (urgent.size > 0) {
      this.stats.urgent += urgent.size;
      const highs = [...urgent].filter(([, u]) => !u.engine);
      const engine = [...urgent].filter(([, u]) => u.engine);
      const left = await this.#writePlain(highs.map(([id, u]) => ({ id, marks: u.marks, basis: u.basis })));
      await this.#commit([
        ...engine.map(([id, u]) => this.#work(id, u.marks, u.closes)),
        ...left.map((l) => this.#work(l.id, l.marks, [])),
      ]);
    }
  }

  /** Writes the dirty marks of the accounts `job.ids` (all dirty ones when null), one chunk per job. */
  async flush(job: FlushJob): Promise<void> {
    const ids = job.ids ?? [...this.holders].filter(([, h]) => h.dirty).map(([id]) => id);
    // A job writes PARALLEL chunks at once; the rest waits behind the ticks that arrived meanwhile.
    const chunk = (this.opts.flushChunk ?? 50) * PARALLEL;
    const items: PlainMarks[] = [];
    for (const id of ids.slice(0, chunk)) {
      const h = this.holders.get(id);
      const mark = h?.dirty;
      if (!h || !mark) continue;
      h.dirty = null;
      items.push({ id, marks: [mark], basis: { state: h.state, row: h.row } });
    }
    this.stats.flushed += items.length;
    this.#flushing = ids.length > chunk;
    try {
      const left = await this.#writePlain(items);
      await this.#commit(left.map((l) => this.#work(l.id, l.marks, [])));
    } finally {
      if (this.#flushing) {
        // The rest after the ticks that arrived meanwhile: a tick waits for one chunk, not the whole flush.
        this.marker.enqueue({ kind: "flush", ids: ids.slice(chunk), started: job.started });
      } else {
        this.stats.flushMs.push(performance.now() - job.started);
      }
    }
  }

  /** The engine-path work for some marks (the last one is the action's own) and closes of one account. */
  #work(accountId: string, marks: PendingMark[], closes: CloseRequest[]): VenueWork {
    const last = marks.at(-1)!;
    return {
      accountId,
      quotes: last.quotes,
      tick: last.tick,
      markId: tickMarkId(last.tick),
      at: last.at,
      marks: marks.slice(0, -1).map((m) => ({ tick: m.tick, quotes: m.quotes })),
      plan: () => ({ closes }),
    };
  }

  /** Writes plain marks with `writePlainMarks`; returns those left for the engine path. */
  async #writePlain(items: PlainMarks[]): Promise<PlainMarks[]> {
    if (items.length === 0) return [];
    // An account trading now gets a statement of its own: an order on it then waits for one account's
    // rows at most, not for a chunk's. The others go in chunks, PARALLEL statements at once.
    const now = performance.now();
    const groups: PlainMarks[][] = [];
    const cold: PlainMarks[] = [];
    for (const item of items) {
      const at = this.#trading.get(item.id);
      if (at !== undefined && now - at < TRADING_MS) groups.push([item]);
      else cold.push(item);
    }
    const chunk = this.opts.flushChunk ?? 50;
    for (let i = 0; i < cold.length; i += chunk) groups.push(cold.slice(i, i + chunk));
    const left: PlainMarks[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(PARALLEL, groups.length) }, async () => {
      while (next < groups.length) {
        const group = groups[next++];
        // A turn of the loop between chunks: each chunk's rows take a few ms to build, and requests (orders)
        // must not wait for all of them back to back.
        await new Promise((resolve) => setTimeout(resolve, 0));
        // Orders first: the statement waits for a moment without an order of this process in flight.
        await orderGate(this.deps.db).clear(ORDER_WAIT_MS);
        const started = performance.now();
        const written = await writePlainMarks(this.deps, this.holders, group);
        this.stats.statements += written.statements;
        if (written.statements > 0) this.stats.commitMs.push(performance.now() - started);
        left.push(...written.left);
      }
    }));
    for (const [id, at] of this.#trading) if (now - at >= TRADING_MS) this.#trading.delete(id);
    return left;
  }

  /** Writes `works` through the engine path in one transaction, then re-reads the accounts. */
  async #commit(works: VenueWork[]): Promise<void> {
    if (works.length === 0) return;
    this.stats.engine += works.length;
    const started = performance.now();
    const outcomes = await commitVenue(this.deps, works);
    this.stats.commitMs.push(performance.now() - started);
    const ids = works.map((w) => w.accountId);
    for (const id of ids) {
      const h = this.holders.get(id);
      const outcome = outcomes.get(id);
      if (!h || !outcome) continue;
      // The notifications the engine path derived for its final change are recorded now (or were already, or
      // are moot): the same derivation on the same change and state, so a later plain mark need not repeat it.
      const { state, changes } = outcome.sync;
      const last = changes.find((c) =>
        c.accountId === id && c.kind === "sync" && c.stateVersion === state.version
      );
      if (last) { for (const n of notificationsOf(last, limitsOf(state, h.rules))) h.notified.add(n.key); }
    }
    await this.marker.reload(ids);
  }
}
