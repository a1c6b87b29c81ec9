/**
 * Tick-level checks (DESIGN §3.5). Subscribed to the process's PriceBook, the marker evaluates every tick for
 * every account holding its symbol, in tick order:
 *
 * - re-values the account's positions at the tick (a buy at the bid, a sell at the ask; mark_value.ts, the
 *   same cents as `valuate`) and dry-runs the engine (`applyEvent`, pure) on the equity mark against the
 *   account's state in memory (as persisted, plus this batch's marks);
 * - pending limit/stop orders and SL/TP of the tick's symbol are checked against the same tick.
 *
 * What is written, per tick batch:
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
 *
 * Jobs run one at a time (a batch waits for the previous one's writes), so every evaluation sees the state the
 * previous one wrote; a long flush is split into chunk jobs with the ticks that arrive meanwhile in between.
 * The cached state is refreshed from each write, from the `venue:book` channel (orders and closes in any
 * process) and by a full reload every `reloadMs`. A reload that finds an account's positions changed evaluates
 * it on the ticks processed meanwhile (kept for `RECENT_MS`) that are later than its last applied event (the
 * fill's own mark): a tick between a fill's commit and the marker's reload is evaluated for the new position.
 */
import type { Deps } from "../deps.ts";
import { log } from "../log.ts";
import { limitsOf, notificationsOf } from "../notifications/derive.ts";
import { VENUE_BOOK_CHANNEL } from "../bus/channels.ts";
import { runSliced } from "../../lib/slices.ts";
import type { VenueOrder } from "./book.ts";
import { commitVenue, tickMarkId, type VenueWork } from "./engine_path.ts";
import type { Instrument } from "./instruments.ts";
import { MarkPrices } from "./mark_value.ts";
import {
  evaluateTick,
  followedAccounts,
  type Holder,
  loadHolders,
  type PendingMark,
} from "./marker_holders.ts";
import { type PlainMarks, writePlainMarks } from "./marker_plain.ts";
import { triggers } from "./order_input.ts";
import { orderGate } from "./order_gate.ts";
import { fillTriggered } from "./orders.ts";
import type { Tick } from "./price_book.ts";
import type { CloseRequest } from "./settle.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";

export interface MarkerStats {
  ticks: number;
  /** (tick, holder) pairs evaluated. */
  evaluations: number;
  /**
   * Of those, evaluated by `#replay` (ticks processed before a reload found the account's positions changed):
   * ticks of a symbol the account did not hold before (not evaluated for it until then)…
   */
  replayed: number;
  /** …and ticks of a symbol it held (evaluated before at the old positions: evaluated again). */
  reevaluated: number;
  /** Accounts written by tick batches (verdicts, highs, SL/TP) and by flushes. */
  urgent: number;
  flushed: number;
  batches: number;
  /** Every write's time: a `writeMarks` statement or an engine-path transaction. */
  commitMs: number[];
  /** CPU time of each batch's evaluation (ms). */
  evalMs: number[];
  /** Each flush from its first chunk to its last (ms). */
  flushMs: number[];
  /** Database statements issued by writes of marks (one per `writeMarks` chunk). */
  statements: number;
  /** Accounts that took the engine path (verdicts, SL/TP, and marks `writeMarks` could not write). */
  engine: number;
}

type Job =
  | { kind: "ticks"; ticks: readonly Tick[] }
  | { kind: "flush"; ids: string[] | null; started: number }
  | { kind: "reload"; ids: string[] | null };

/** A batch's marks of one account that must be written now. */
interface Urgent {
  marks: PendingMark[];
  closes: CloseRequest[];
  /** A verdict or a close: only the engine path writes it. */
  engine: boolean;
  /** A breach or a close: the account's later ticks in the batch concern it no more (old marker's rule). */
  closing: boolean;
  /** The holder's state and row before the batch's first urgent mark. */
  basis: Pick<Holder, "state" | "row">;
}

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
/**
 * How far back (tick time) the ticks processed are kept for `#replay`: a fill's `venue:book` message reaches
 * the marker a few ms after its commit, behind the tick jobs queued meanwhile.
 */
const RECENT_MS = 5_000;

export class VenueMarker {
  readonly stats: MarkerStats = {
    ticks: 0,
    evaluations: 0,
    replayed: 0,
    reevaluated: 0,
    urgent: 0,
    flushed: 0,
    batches: 0,
    commitMs: [],
    evalMs: [],
    flushMs: [],
    statements: 0,
    engine: 0,
  };
  #holders = new Map<string, Holder>();
  #bySymbol = new Map<string, Set<string>>();
  #pending = new Map<string, VenueOrder[]>();
  #instruments = new Map<string, Instrument>();
  #queue: Job[] = [];
  /** When each account's book last changed (orders, closes: `venue:book`), for `#writePlain`. */
  #trading = new Map<string, number>();
  #flushing = false;
  #running: Promise<void> | null = null;
  #stops: (() => unknown)[] = [];
  /** Per-tick prices while a batch is evaluated (the book already holds the batch's last). */
  #view = new Map<string, Tick>();
  #prices = new MarkPrices({ latest: (s) => this.#view.get(s) });
  /** The ticks processed in the last `RECENT_MS`, in order, each with the quotes as of it (`#replay`). */
  #recent: { tick: Tick; view: Map<string, Tick> }[] = [];

  constructor(
    private readonly deps: Pick<Deps, "db" | "bus" | "prices">,
    private readonly opts: { flushMs?: number; reloadMs?: number; flushChunk?: number } = {},
  ) {}

  /** Loads every account holding venue positions or orders and starts listening to ticks. */
  async start(): Promise<void> {
    for (const t of this.deps.prices.all()) this.#view.set(t.symbol, t);
    await this.#reload(null);
    this.#stops.push(this.deps.prices.subscribe((ticks) => this.#enqueue({ kind: "ticks", ticks })));
    const unsubscribe = await this.deps.bus.subscribe(VENUE_BOOK_CHANNEL, (message) => {
      const ids = (message as { accountIds?: unknown }).accountIds;
      if (Array.isArray(ids)) {
        const valid = ids.filter((i) => typeof i === "string");
        const now = performance.now();
        for (const id of valid) this.#trading.set(id, now);
        this.#enqueue({ kind: "reload", ids: valid });
      }
    });
    this.#stops.push(unsubscribe);
    const flush = setInterval(() => {
      // One flush at a time: a flush still writing its chunks takes the latest marks as it goes.
      if (!this.#flushing) this.#enqueue({ kind: "flush", ids: null, started: performance.now() });
    }, this.opts.flushMs ?? 1_000);
    const reload = setInterval(
      () => this.#enqueue({ kind: "reload", ids: null }),
      this.opts.reloadMs ?? 30_000,
    );
    this.#stops.push(() => clearInterval(flush), () => clearInterval(reload));
  }

  async stop(): Promise<void> {
    for (const stop of this.#stops.splice(0)) await stop();
    await this.idle();
  }

  /** Resolves once every queued job is done (tests and the bench wait on it). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Writes every dirty account's latest mark now (tests; the timer does it every `flushMs`). */
  flush(): Promise<void> {
    this.#enqueue({ kind: "flush", ids: null, started: performance.now() });
    return this.idle();
  }

  /** Accounts currently followed. */
  get holders(): number {
    return this.#holders.size;
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    if (!this.#running) {
      this.#running = this.#drain().finally(() => {
        this.#running = null;
      });
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      try {
        if (job.kind === "ticks") await this.#onTicks(job.ticks);
        else if (job.kind === "flush") await this.#flush(job);
        else await this.#reload(job.ids);
      } catch (error) {
        log.error("venue marker job failed", { scope: "venue", error });
      }
    }
  }

  async #onTicks(ticks: readonly Tick[]): Promise<void> {
    this.stats.batches++;
    const urgent = new Map<string, Urgent>();
    const fills: { order: VenueOrder; tick: Tick; quotes: Quotes }[] = [];
    let cpu = 0;
    const gate = orderGate(this.deps.db);
    // Sliced: a batch of 7 ticks × thousands of holders must not hold the loop (SSE frames, orders).
    await runSliced(
      (function* (self: VenueMarker) {
        for (const tick of ticks) {
          let t0 = performance.now();
          self.#view.set(tick.symbol, tick);
          self.#prices.reset(tick.symbol);
          self.stats.ticks++;
          // One copy of the quotes per tick, kept for `#replay` and shared by every mark made at it.
          const view = self.#remember(tick);
          let quotes: Quotes | null = null;
          const snapshot = () => quotes ??= { latest: (s: string) => view.get(s) };
          const pending = self.#pending.get(tick.symbol);
          if (pending) {
            const hit = pending.filter((o) => triggers(o, tick));
            if (hit.length > 0) {
              for (const order of hit) fills.push({ order, tick, quotes: snapshot() });
              self.#pending.set(tick.symbol, pending.filter((o) => !hit.includes(o)));
            }
          }
          let n = 0;
          for (const id of self.#bySymbol.get(tick.symbol) ?? []) {
            self.#markHolder(id, tick, urgent, snapshot);
            if (++n % 64 === 0) {
              cpu += performance.now() - t0;
              yield;
              t0 = performance.now();
            }
          }
          cpu += performance.now() - t0;
          yield;
        }
      })(this),
      // Short slices: an order's every await may wait for one. While an order of this process is in flight,
      // every pause point (64 holders, a fraction of a ms) gives the loop back: the order's continuations
      // then wait for that much of the marker's CPU, not for a whole slice, and the marks are only delayed
      // (each keeps its own tick and quotes).
      2,
      { yieldNow: () => gate.busy },
    );
    this.stats.evalMs.push(cpu);
    await this.#writeUrgent(urgent);
    for (const f of fills) {
      await fillTriggered(this.deps, f.order, f.quotes, f.tick);
    }
    if (fills.length > 0) await this.#reload([...new Set(fills.map((f) => f.order.accountId))]);
  }

  /** Writes a batch's urgent marks: plain ones with `writeMarks`, the rest (and those left) by the engine path. */
  async #writeUrgent(urgent: Map<string, Urgent>): Promise<void> {
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

  /** Keeps `tick` (now in `#view`) with a copy of the quotes as of it; returns that copy. */
  #remember(tick: Tick): Map<string, Tick> {
    const view = new Map(this.#view);
    this.#recent.push({ tick, view });
    let old = 0;
    while (old < this.#recent.length && this.#recent[old].tick.at < tick.at - RECENT_MS) old++;
    if (old > 0) this.#recent.splice(0, old);
    return view;
  }

  /**
   * Evaluates the holders `after` names on the kept ticks of their symbols later than their state's last
   * applied instant (a fill's own mark, or the last mark written), in tick order, each at the quotes as of
   * its tick, and writes what is urgent as `#onTicks` does. These are the ticks processed between a change of
   * the account's book (an order filled in any process) and this reload, which were evaluated without the
   * change or not at all; a tick at or before the state's instant was marked by the change itself or earlier.
   */
  async #replay(after: Map<string, { at: number; held: ReadonlySet<string> }>): Promise<void> {
    let from = Infinity;
    for (const { at } of after.values()) from = Math.min(from, at);
    const ticks = this.#recent.filter((r) => r.tick.at > from);
    if (ticks.length === 0) return;
    const urgent = new Map<string, Urgent>();
    const current = this.#view;
    try {
      for (const { tick, view } of ticks) {
        this.#view = view;
        this.#prices.reset();
        const quotes = { latest: (s: string) => view.get(s) };
        for (const [id, { at, held }] of after) {
          const h = this.#holders.get(id);
          if (!h || tick.at <= at || !h.positions.some((p) => p.symbol === tick.symbol)) continue;
          if (held.has(tick.symbol)) this.stats.reevaluated++;
          else this.stats.replayed++;
          this.#markHolder(id, tick, urgent, () => quotes);
        }
      }
    } finally {
      // Back to the latest tick of every symbol, as `#onTicks` left them.
      this.#view = current;
      this.#prices.reset();
    }
    await this.#writeUrgent(urgent);
  }

  /** Evaluates `tick` for holder `id`: its mark becomes the dirty one, or an urgent one of the batch. */
  #markHolder(id: string, tick: Tick, urgent: Map<string, Urgent>, snapshot: () => Quotes): void {
    const u = urgent.get(id);
    if (u?.closing) return;
    const h = this.#holders.get(id)!;
    this.stats.evaluations++;
    const verdict = evaluateTick(h, tick, this.#prices);
    if (verdict === null) return;
    const mark: PendingMark = {
      tick,
      quotes: snapshot(),
      at: verdict.at,
      equity: verdict.equity,
      basis: h.state.version,
    };
    if (verdict.closes.length === 0 && !verdict.urgent) {
      h.dirty = mark;
      return;
    }
    h.dirty = null;
    const entry = u ??
      { marks: [], closes: [], engine: false, closing: false, basis: { state: h.state, row: h.row } };
    urgent.set(id, entry);
    entry.marks.push(mark);
    if (verdict.closes.length > 0 || verdict.breach) {
      // The last mark is the action's own (settle adds it at this tick).
      entry.closes = verdict.closes;
      entry.closing = entry.engine = true;
    } else {
      h.state = verdict.state;
      if (verdict.verdicts) entry.engine = true;
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
        const written = await writePlainMarks(this.deps, this.#holders, group);
        this.stats.statements += written.statements;
        if (written.statements > 0) this.stats.commitMs.push(performance.now() - started);
        left.push(...written.left);
      }
    }));
    for (const [id, at] of this.#trading) if (now - at >= TRADING_MS) this.#trading.delete(id);
    return left;
  }

  /** Writes the dirty marks of the accounts `job.ids` (all dirty ones when null), one chunk per job. */
  async #flush(job: Extract<Job, { kind: "flush" }>): Promise<void> {
    const ids = job.ids ?? [...this.#holders].filter(([, h]) => h.dirty).map(([id]) => id);
    // A job writes PARALLEL chunks at once; the rest waits behind the ticks that arrived meanwhile.
    const chunk = (this.opts.flushChunk ?? 50) * PARALLEL;
    const items: PlainMarks[] = [];
    for (const id of ids.slice(0, chunk)) {
      const h = this.#holders.get(id);
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
        this.#enqueue({ kind: "flush", ids: ids.slice(chunk), started: job.started });
      } else {
        this.stats.flushMs.push(performance.now() - job.started);
      }
    }
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
      const h = this.#holders.get(id);
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
    await this.#reload(ids);
  }

  /** (Re)reads the given accounts (all when null): state, rules, positions, pending orders. */
  async #reload(ids: string[] | null): Promise<void> {
    const sql = this.deps.db.sql;
    this.#instruments = await instrumentMap(this.deps.db);
    const accountIds = ids ?? await followedAccounts(sql);
    const { holders, orders } = await loadHolders(sql, accountIds, this.#instruments);
    const previous = new Map<string, Holder>();
    if (ids === null) {
      for (const [id, h] of this.#holders) previous.set(id, h);
      this.#holders.clear();
      this.#bySymbol.clear();
      this.#pending.clear();
    } else {
      for (const id of ids) {
        const h = this.#holders.get(id);
        if (h) previous.set(id, h);
        this.#drop(id);
      }
    }
    for (const o of orders) this.#pending.set(o.symbol, [...(this.#pending.get(o.symbol) ?? []), o]);
    /** Holders whose positions changed since the marker last had them: evaluated on the ticks they missed. */
    const changed = new Map<string, { at: number; held: ReadonlySet<string> }>();
    for (const h of holders) {
      const before = previous.get(h.row.id);
      if (!before || !samePositions(before, h)) {
        const held = new Set(before?.positions.map((p) => p.symbol));
        changed.set(h.row.id, { at: h.state.lastEventAt, held });
      }
      if (before) {
        // Nothing else changed the account: its unwritten mark and recorded notifications still hold.
        if (before.dirty?.basis === h.state.version && samePositions(before, h)) h.dirty = before.dirty;
        h.notified = before.notified;
      }
      for (const p of h.positions) {
        let set = this.#bySymbol.get(p.symbol);
        if (!set) this.#bySymbol.set(p.symbol, set = new Set());
        set.add(h.row.id);
      }
      this.#holders.set(h.row.id, h);
    }
    if (changed.size > 0) await this.#replay(changed);
  }

  #drop(id: string): void {
    this.#holders.delete(id);
    for (const set of this.#bySymbol.values()) set.delete(id);
    for (const [symbol, list] of this.#pending) {
      if (list.some((o) => o.accountId === id)) {
        this.#pending.set(symbol, list.filter((o) => o.accountId !== id));
      }
    }
  }
}

function samePositions(a: Holder, b: Holder): boolean {
  return a.positions.length === b.positions.length &&
    a.positions.every((p, i) => p.id === b.positions[i].id && p.volume === b.positions[i].volume);
}
