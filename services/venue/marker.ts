/**
 * Tick-level checks (DESIGN §3.5). Subscribed to the process's PriceBook, the marker evaluates every tick for
 * every account holding its symbol, in tick order:
 *
 * - re-values the account's positions in that symbol at the tick (a buy at the bid, a sell at the ask) and
 *   dry-runs the engine (`applyEvent`, pure) on the equity mark against the account's last persisted state;
 * - pending limit/stop orders and SL/TP of the tick's symbol are checked against the same tick.
 *
 * What is written, through the engine path (services/venue/engine_path.ts), in ONE transaction per tick batch
 * for all accounts concerned: every mark that makes a verdict (breach, pause, objective) or a new high-water
 * mark, and every SL/TP close — a breach's mark names its tick and the liquidation closes the positions at
 * that tick's prices. Other marks only make the account "dirty": a flush every `flushMs` (1 s) writes each
 * dirty account's latest mark, all accounts in one transaction, so equity samples stay at most one per second
 * per account. Dropping the in-between marks is exact: a mark that is neither a verdict nor a new high only
 * overwrites equity, which the next mark overwrites again.
 *
 * Batches are processed one at a time (a batch waits for the previous one's commit), so every evaluation sees
 * the state the previous one wrote. The cached state is refreshed from each commit's result, from the
 * `venue:book` channel (orders and closes in any process) and by a full reload every `reloadMs`.
 */
import type { Deps } from "../deps.ts";
import { log } from "../log.ts";
import { fromMinor } from "../money.ts";
import { applyEvent } from "../engine/evaluate.ts";
import type { EngineRules } from "../engine/rules.ts";
import { type AccountState, stateFromJson } from "../engine/state.ts";
import { rulesFor, stageOf } from "../accounts/rules.ts";
import { VENUE_BOOK_CHANNEL } from "../bus/channels.ts";
import { openPositions, pendingOrders, type VenueOrder, type VenuePosition } from "./book.ts";
import { commitVenue, tickMarkId, type VenueWork } from "./engine_path.ts";
import type { Instrument } from "./instruments.ts";
import { protectionHit, triggers } from "./order_input.ts";
import { fillTriggered } from "./orders.ts";
import type { Tick } from "./price_book.ts";
import type { CloseRequest } from "./settle.ts";
import { instrumentMap, type PositionValue, type Quotes, valuePosition } from "./valuation.ts";

interface Holder {
  id: string;
  currency: string;
  rules: EngineRules;
  state: AccountState;
  positions: VenuePosition[];
  values: Map<string, PositionValue>;
  /** The latest tick whose mark is not written yet (flushed within `flushMs`). */
  dirty: Tick | null;
}

export interface MarkerStats {
  ticks: number;
  /** (tick, holder) pairs evaluated. */
  evaluations: number;
  /** Accounts written by tick batches (verdicts, highs, SL/TP) and by flushes. */
  urgent: number;
  flushed: number;
  batches: number;
  commitMs: number[];
}

type Job = { kind: "ticks"; ticks: readonly Tick[] } | { kind: "flush" } | {
  kind: "reload";
  ids: string[] | null;
};

export class VenueMarker {
  readonly stats: MarkerStats = { ticks: 0, evaluations: 0, urgent: 0, flushed: 0, batches: 0, commitMs: [] };
  #holders = new Map<string, Holder>();
  #bySymbol = new Map<string, Set<string>>();
  #pending = new Map<string, VenueOrder[]>();
  #instruments = new Map<string, Instrument>();
  #queue: Job[] = [];
  #running: Promise<void> | null = null;
  #stops: (() => unknown)[] = [];
  /** Per-tick prices while a batch is evaluated (the book already holds the batch's last). */
  #view = new Map<string, Tick>();
  #quotes: Quotes = { latest: (s) => this.#view.get(s) };

  constructor(
    private readonly deps: Pick<Deps, "db" | "bus" | "prices">,
    private readonly opts: { flushMs?: number; reloadMs?: number } = {},
  ) {}

  /** Loads every account holding venue positions or orders and starts listening to ticks. */
  async start(): Promise<void> {
    for (const t of this.deps.prices.all()) this.#view.set(t.symbol, t);
    await this.#reload(null);
    this.#stops.push(this.deps.prices.subscribe((ticks) => this.#enqueue({ kind: "ticks", ticks })));
    const unsubscribe = await this.deps.bus.subscribe(VENUE_BOOK_CHANNEL, (message) => {
      const ids = (message as { accountIds?: unknown }).accountIds;
      if (Array.isArray(ids)) {
        this.#enqueue({
          kind: "reload",
          ids: ids.filter((i) => typeof i === "string"),
        });
      }
    });
    this.#stops.push(unsubscribe);
    const flush = setInterval(() => this.#enqueue({ kind: "flush" }), this.opts.flushMs ?? 1_000);
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
    this.#enqueue({ kind: "flush" });
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
        else if (job.kind === "flush") await this.#flush();
        else await this.#reload(job.ids);
      } catch (error) {
        log.error("venue marker job failed", { scope: "venue", error });
      }
    }
  }

  async #onTicks(ticks: readonly Tick[]): Promise<void> {
    this.stats.batches++;
    const works = new Map<
      string,
      { marks: { tick: Tick; quotes: Quotes }[]; closes: CloseRequest[]; tick: Tick }
    >();
    const closing = new Set<string>();
    const fills: { order: VenueOrder; tick: Tick; quotes: Quotes }[] = [];
    for (const tick of ticks) {
      this.#view.set(tick.symbol, tick);
      this.stats.ticks++;
      const snapshot = () => {
        const copy = new Map(this.#view);
        return { latest: (s: string) => copy.get(s) };
      };
      const pending = this.#pending.get(tick.symbol);
      if (pending) {
        const hit = pending.filter((o) => triggers(o, tick));
        if (hit.length > 0) {
          const quotes = snapshot();
          for (const order of hit) fills.push({ order, tick, quotes });
          this.#pending.set(tick.symbol, pending.filter((o) => !hit.includes(o)));
        }
      }
      for (const id of this.#bySymbol.get(tick.symbol) ?? []) {
        if (closing.has(id)) continue;
        const h = this.#holders.get(id)!;
        this.stats.evaluations++;
        const verdict = this.#evaluate(h, tick);
        if (verdict === null) continue;
        if (verdict.closes.length === 0 && !verdict.urgent) {
          h.dirty = tick;
          continue;
        }
        const work = works.get(id) ?? { marks: [], closes: [], tick };
        works.set(id, work);
        h.dirty = null;
        if (verdict.closes.length > 0 || verdict.breach) {
          work.closes = verdict.closes;
          work.tick = tick;
          closing.add(id);
          // The last mark is the action's own (settle adds it at this tick).
          work.marks.push({ tick, quotes: snapshot() });
        } else {
          work.marks.push({ tick, quotes: snapshot() });
          h.state = verdict.state;
        }
      }
    }
    if (works.size > 0) {
      const list: VenueWork[] = [...works].map(([accountId, w]) => {
        const last = w.marks.pop()!;
        return {
          accountId,
          quotes: last.quotes,
          tick: last.tick,
          markId: tickMarkId(last.tick),
          at: last.tick.at,
          marks: w.marks,
          plan: () => ({ closes: w.closes }),
        };
      });
      this.stats.urgent += list.length;
      await this.#commit(list);
    }
    for (const f of fills) {
      await fillTriggered(this.deps, f.order, f.quotes, f.tick);
    }
    if (fills.length > 0) await this.#reload([...new Set(fills.map((f) => f.order.accountId))]);
  }

  /** The dry run of one tick on one holder: null when it cannot be valued (a missing quote or rate). */
  #evaluate(h: Holder, tick: Tick) {
    const closes: CloseRequest[] = [];
    for (const p of h.positions) {
      if (p.symbol !== tick.symbol) continue;
      const value = valuePosition(p, this.#instruments.get(p.symbol)!, this.#quotes, h.currency);
      if (!value) return null;
      h.values.set(p.id, value);
      const hit = protectionHit(p, tick);
      if (hit) closes.push({ positionId: p.id, reason: hit });
    }
    let floating = 0n;
    for (const v of h.values.values()) floating += v.pnl - v.commission;
    const equity = h.state.balance + floating;
    const at = Math.max(tick.at, h.state.lastEventAt);
    const mark = {
      type: "equity" as const,
      equity: fromMinor(equity),
      balance: fromMinor(h.state.balance),
      at,
    };
    let applied;
    try {
      applied = applyEvent(h.state, mark, h.rules);
    } catch {
      return null;
    }
    const breach = applied.verdicts.some((v) => v.type === "breach" || v.type === "paused");
    const urgent = applied.verdicts.length > 0 || applied.state.highestEquity > h.state.highestEquity;
    return { closes, breach, urgent, state: applied.state };
  }

  async #flush(): Promise<void> {
    const works: VenueWork[] = [];
    for (const h of this.#holders.values()) {
      const tick = h.dirty;
      if (!tick) continue;
      h.dirty = null;
      works.push({
        accountId: h.id,
        quotes: this.deps.prices,
        tick,
        markId: tickMarkId(tick),
        at: tick.at,
        plan: () => ({}),
      });
    }
    this.stats.flushed += works.length;
    await this.#commit(works);
  }

  async #commit(works: VenueWork[]): Promise<void> {
    if (works.length === 0) return;
    const started = performance.now();
    const outcomes = await commitVenue(this.deps, works);
    this.stats.commitMs.push(performance.now() - started);
    const changed: string[] = [];
    for (const w of works) {
      const outcome = outcomes.get(w.accountId);
      const h = this.#holders.get(w.accountId);
      if (!outcome || !h) {
        changed.push(w.accountId);
        continue;
      }
      h.state = outcome.sync.state;
      if (outcome.settled.closed.length > 0 || outcome.liquidated || h.state.status !== "active") {
        changed.push(w.accountId);
      }
    }
    if (changed.length > 0) await this.#reload(changed);
  }

  /** (Re)reads the given accounts (all when null): state, rules, positions, pending orders. */
  async #reload(ids: string[] | null): Promise<void> {
    const sql = this.deps.db.sql;
    this.#instruments = await instrumentMap(this.deps.db);
    const accountIds = ids ?? (await sql<{ account_id: string }[]>`
      select distinct account_id from venue_positions where status = 'open'
      union select distinct account_id from venue_orders where status = 'pending'`).map((r) => r.account_id);
    const [rows, positions, orders] = await Promise.all([
      sql<
        {
          id: string;
          currency: string;
          status: string;
          engine_state: unknown;
          plan_version_id: string | null;
          type: string;
          phase: number | null;
        }[]
      >`
        select id, currency, status, engine_state, plan_version_id, type, phase from accounts
        where id = any(${accountIds})`,
      openPositions(sql, accountIds),
      pendingOrders(sql, accountIds),
    ]);
    if (ids === null) {
      this.#holders.clear();
      this.#bySymbol.clear();
      this.#pending.clear();
    } else {
      for (const id of ids) this.#drop(id);
    }
    for (const o of orders) this.#pending.set(o.symbol, [...(this.#pending.get(o.symbol) ?? []), o]);
    const byAccount = new Map<string, VenuePosition[]>();
    for (const p of positions) byAccount.set(p.accountId, [...(byAccount.get(p.accountId) ?? []), p]);
    for (const row of rows) {
      const own = byAccount.get(row.id);
      if (!own || !row.engine_state || !row.plan_version_id || row.status !== "active") continue;
      const { rules } = await rulesFor(sql, row.plan_version_id, stageOf(row));
      const h: Holder = {
        id: row.id,
        currency: row.currency,
        rules,
        state: stateFromJson(row.engine_state),
        positions: own,
        values: new Map(),
        dirty: null,
      };
      for (const p of own) {
        const v = valuePosition(p, this.#instruments.get(p.symbol)!, this.deps.prices, h.currency);
        if (v) h.values.set(p.id, v);
        let set = this.#bySymbol.get(p.symbol);
        if (!set) this.#bySymbol.set(p.symbol, set = new Set());
        set.add(row.id);
      }
      this.#holders.set(row.id, h);
    }
  }

  #drop(id: string): void {
    this.#holders.delete(id);
    for (const set of this.#bySymbol.values()) set.delete(id);
    for (const [symbol, list] of this.#pending) {
      this.#pending.set(
        symbol,
        list.filter((o) => o.accountId !== id),
      );
    }
  }
}
