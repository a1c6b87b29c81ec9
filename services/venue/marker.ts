/**
 * Tick-level checks (DESIGN §3.5). Subscribed to the process's PriceBook, the marker evaluates every tick for
 * every account holding its symbol, in tick order (services/venue/marker_evaluate.ts):
 *
 * - re-values the account's positions at the tick (a buy at the bid, a sell at the ask; mark_value.ts, the
 *   same cents as `valuate`) and dry-runs the engine (`applyEvent`, pure) on the equity mark against the
 *   account's state in memory (as persisted, plus this batch's marks);
 * - pending limit/stop orders and SL/TP of the tick's symbol are checked against the same tick.
 *
 * A batch's verdicts, closes and new high-water marks are written at once, other marks by a flush every
 * `flushMs` (services/venue/marker_writes.ts says how). Jobs — tick batches, flush chunks, reloads — run one at
 * a time (services/venue/marker_queue.ts), so every evaluation sees the state the previous one wrote.
 * This class holds the accounts followed (services/venue/marker_holders.ts) and wires the parts together.
 * The cached state is refreshed from each write, from the `venue:book` channel (orders and closes in any
 * process) and by a full reload every `reloadMs`; a reload that finds an account's positions changed replays
 * it on the ticks processed meanwhile.
 */
import type { Deps } from "../deps.ts";
import { VENUE_BOOK_CHANNEL } from "../bus/channels.ts";
import { runSliced } from "../../lib/slices.ts";
import type { VenueOrder } from "./book.ts";
import type { Instrument } from "./instruments.ts";
import { type Changed, TickEvaluator, type Urgent } from "./marker_evaluate.ts";
import { followedAccounts, type Holder, loadHolders } from "./marker_holders.ts";
import { type Job, JobQueue } from "./marker_queue.ts";
import type { MarkerStats } from "./marker_stats.ts";
import { MarkerWrites } from "./marker_writes.ts";
import { triggers } from "./order_input.ts";
import { orderGate } from "./order_gate.ts";
import { fillTriggered } from "./orders.ts";
import type { Tick } from "./price_book.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";

export type { MarkerStats } from "./marker_stats.ts";

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
  #stops: (() => unknown)[] = [];
  #queue: JobQueue;
  #ticks: TickEvaluator;
  #writes: MarkerWrites;

  constructor(
    private readonly deps: Pick<Deps, "db" | "bus" | "prices">,
    private readonly opts: { flushMs?: number; reloadMs?: number; flushChunk?: number } = {},
  ) {
    // The parts share the marker's holders and stats, and call back into it for reloads and new jobs.
    this.#queue = new JobQueue((job) => this.#run(job));
    this.#ticks = new TickEvaluator(this.#holders, this.stats);
    this.#writes = new MarkerWrites(deps, this.#holders, this.stats, opts, {
      reload: (ids) => this.#reload(ids),
      enqueue: (job) => this.#queue.enqueue(job),
    });
  }

  /** Loads every account holding venue positions or orders and starts listening to ticks. */
  async start(): Promise<void> {
    this.#ticks.seed(this.deps.prices.all());
    await this.#reload(null);
    this.#stops.push(this.deps.prices.subscribe((ticks) => this.#queue.enqueue({ kind: "ticks", ticks })));
    const unsubscribe = await this.deps.bus.subscribe(VENUE_BOOK_CHANNEL, (message) => {
      const ids = (message as { accountIds?: unknown }).accountIds;
      if (Array.isArray(ids)) {
        const valid = ids.filter((i) => typeof i === "string");
        this.#writes.traded(valid);
        this.#queue.enqueue({ kind: "reload", ids: valid });
      }
    });
    this.#stops.push(unsubscribe);
    const flush = setInterval(() => {
      // One flush at a time: a flush still writing its chunks takes the latest marks as it goes.
      if (!this.#writes.flushing) {
        this.#queue.enqueue({ kind: "flush", ids: null, started: performance.now() });
      }
    }, this.opts.flushMs ?? 1_000);
    const reload = setInterval(
      () => this.#queue.enqueue({ kind: "reload", ids: null }),
      this.opts.reloadMs ?? 30_000,
    );
    this.#stops.push(() => clearInterval(flush), () => clearInterval(reload));
  }

  async stop(): Promise<void> {
    for (const stop of this.#stops.splice(0)) await stop();
    await this.idle();
  }

  /** Resolves once every queued job is done (tests and the bench wait on it). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Writes every dirty account's latest mark now (tests; the timer does it every `flushMs`). */
  flush(): Promise<void> {
    this.#queue.enqueue({ kind: "flush", ids: null, started: performance.now() });
    return this.idle();
  }

  /** Accounts currently followed. */
  get holders(): number {
    return this.#holders.size;
  }

  #run(job: Job): Promise<void> {
    if (job.kind === "ticks") return this.#onTicks(job.ticks);
    else if (job.kind === "flush") return this.#writes.flush(job);
    else return this.#reload(job.ids);
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
          const view = self.#ticks.advance(tick);
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
            self.#ticks.mark(id, tick, urgent, snapshot);
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
    await this.#writes.writeUrgent(urgent);
    for (const f of fills) {
      await fillTriggered(this.deps, f.order, f.quotes, f.tick);
    }
    if (fills.length > 0) await this.#reload([...new Set(fills.map((f) => f.order.accountId))]);
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
    const changed: Changed = new Map();
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

  /** Evaluates the accounts whose positions changed on the ticks they missed; writes what is urgent. */
  async #replay(changed: Changed): Promise<void> {
    const urgent = this.#ticks.replay(changed);
    if (urgent) await this.#writes.writeUrgent(urgent);
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
