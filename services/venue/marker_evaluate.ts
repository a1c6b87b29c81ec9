/**
 * The marker's evaluation of ticks on its holders (services/venue/marker.ts): the quotes as of each tick, the
 * dry run of one tick on one holder sorted into the account's dirty mark or the batch's urgent ones, and the
 * replay after a reload. A reload that finds an account's positions changed evaluates it on the ticks
 * processed meanwhile (kept for `RECENT_MS`) that are later than its last applied event (the fill's own mark):
 * a tick between a fill's commit and the marker's reload is evaluated for the new position.
 */
import { MarkPrices } from "./mark_value.ts";
import { evaluateTick, type Holder, type PendingMark } from "./marker_holders.ts";
import type { MarkerStats } from "./marker_stats.ts";
import type { Tick } from "./price_book.ts";
import type { CloseRequest } from "./settle.ts";
import type { Quotes } from "./valuation.ts";

/** A batch's marks of one account that must be written now. */
export interface Urgent {
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
 * Holders whose positions changed since the marker last had them, each with its state's last applied instant
 * and the symbols it held before: evaluated on the ticks they missed.
 */
export type Changed = Map<string, { at: number; held: ReadonlySet<string> }>;

/**
 * How far back (tick time) the ticks processed are kept for `replay`: a fill's `venue:book` message reaches
 * the marker a few ms after its commit, behind the tick jobs queued meanwhile.
 */
const RECENT_MS = 5_000;

/** Evaluates ticks on the marker's `holders` (the marker's own map, read as it reloads them). */
export class TickEvaluator {
  /** Per-tick prices while a batch is evaluated (the book already holds the batch's last). */
  #view = new Map<string, Tick>();
  #prices = new MarkPrices({ latest: (s) => this.#view.get(s) });
  /** The ticks processed in the last `RECENT_MS`, in order, each with the quotes as of it (`replay`). */
  #recent: { tick: Tick; view: Map<string, Tick> }[] = [];

  constructor(
    private readonly holders: ReadonlyMap<string, Holder>,
    private readonly stats: MarkerStats,
  ) {}

  /** Starts from the book's latest tick of every symbol. */
  seed(ticks: readonly Tick[]): void {
    for (const t of ticks) this.#view.set(t.symbol, t);
  }

  /** Moves the quotes to `tick` and keeps it; returns the copy of the quotes as of it. */
  advance(tick: Tick): Map<string, Tick> {
    this.#view.set(tick.symbol, tick);
    this.#prices.reset(tick.symbol);
    this.stats.ticks++;
    // One copy of the quotes per tick, kept for `replay` and shared by every mark made at it.
    return this.#remember(tick);
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
   * its tick; returns what is urgent, for the caller to write as it does a tick batch's (null when no tick is
   * kept after the earliest instant). These are the ticks processed between a change of the account's book (an
   * order filled in any process) and this reload, which were evaluated without the change or not at all; a
   * tick at or before the state's instant was marked by the change itself or earlier.
   */
  replay(after: Changed): Map<string, Urgent> | null {
    let from = Infinity;
    for (const { at } of after.values()) from = Math.min(from, at);
    const ticks = this.#recent.filter((r) => r.tick.at > from);
    if (ticks.length === 0) return null;
    const urgent = new Map<string, Urgent>();
    const current = this.#view;
    try {
      for (const { tick, view } of ticks) {
        this.#view = view;
        this.#prices.reset();
        const quotes = { latest: (s: string) => view.get(s) };
        for (const [id, { at, held }] of after) {
          const h = this.holders.get(id);
          if (!h || tick.at <= at || !h.positions.some((p) => p.symbol === tick.symbol)) continue;
          if (held.has(tick.symbol)) this.stats.reevaluated++;
          else this.stats.replayed++;
          this.mark(id, tick, urgent, () => quotes);
        }
      }
    } finally {
      // Back to the latest tick of every symbol, as the tick batches left them.
      this.#view = current;
      this.#prices.reset();
    }
    return urgent;
  }

  /** Evaluates `tick` for holder `id`: its mark becomes the dirty one, or an urgent one of the batch. */
  mark(id: string, tick: Tick, urgent: Map<string, Urgent>, snapshot: () => Quotes): void {
    const u = urgent.get(id);
    if (u?.closing) return;
    const h = this.holders.get(id)!;
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
}
