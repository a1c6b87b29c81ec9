/**
 * Committing venue actions through the engine path: one transaction for any number of accounts (a tick batch
 * touches hundreds), so N accounts cost a few pipelined round trips, not N transactions. Per account, exactly
 * what demo-sync does (`syncLocked`: dedupe, evaluate, persist, lifecycle) on events built from the locked
 * row (services/venue/settle.ts), then the venue's own rows; after commit the changes are published like
 * demo-sync's.
 *
 * Liquidation: when the engine leaves an account not `active` (a breach, a daily-loss pause, a pass) while it
 * still holds positions, they are closed in the same transaction at the same quotes — so a breach closes
 * positions at the breaching tick's prices.
 */
import type { Tx } from "../../db/client.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { type LockedAccount, lockedColumns } from "../accounts/persist.ts";
import { type LockedSync, syncLocked } from "../accounts/sync.ts";
import type { Deps } from "../deps.ts";
import { type AccountState, stateFromJson } from "../engine/state.ts";
import { isoAt } from "../time.ts";
import type { Bus } from "../bus/mod.ts";
import { log } from "../log.ts";
import { VENUE_BOOK_CHANNEL } from "../bus/channels.ts";
import { openPositions, type VenuePosition } from "./book.ts";
import type { Instrument } from "./instruments.ts";
import type { Tick } from "./price_book.ts";
import { type CloseRequest, settle, type Settled } from "./settle.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";

/** The opens and closes of one action (none: a plain re-mark). */
export interface Planned {
  opens?: VenuePosition[];
  closes?: CloseRequest[];
}

/** What to do to one account, decided inside the transaction from its locked row and open positions. */
export interface VenueWork {
  accountId: string;
  quotes: Quotes;
  /** The tick the action happens at (named in the mark), if any. */
  tick?: Tick;
  /** Deterministic mark id (a tick's mark), so two processes marking the same tick apply it once. */
  markId?: string;
  /**
   * Marks to apply before the action (a tick batch's new high-water marks or verdicts before a closing tick):
   * each at its own tick and quotes.
   */
  marks?: { tick: Tick; quotes: Quotes }[];
  /** The action's instant (epoch ms); raised to the account's last applied instant if older. */
  at: number;
  /**
   * Starts this work's own reads (an order's replay and self-lock lookups): they are sent right behind the
   * lock statement on the transaction's connection, so they cost no round trip of their own and run once the
   * lock is granted (seeing every transaction committed before it). `plan` awaits what they return.
   */
  read?(tx: Tx): void;
  /**
   * The account's row as the lock statement returned it (null: no such account), for every work, before the
   * engine path skips an account that is not trading: a caller judging whose it is or why it took no action
   * needs no read of its own.
   */
  locked?(account: LockedAccount | null): void;
  plan(ctx: { tx: Tx; account: LockedAccount; state: AccountState; positions: VenuePosition[] }):
    | Planned
    | null
    | Promise<Planned | null>;
  /**
   * The venue's own rows of the action (an order's row), written in the same pipeline as the engine's: they
   * must read nothing the engine writes. Called once the plan is settled (same transaction).
   */
  beside?(tx: Tx): Promise<unknown>;
}

export interface VenueOutcome {
  sync: LockedSync;
  settled: Settled;
  /** Positions closed because the account stopped being active. */
  liquidated: Settled | null;
}

/**
 * Applies each work item to its account in one transaction; returns the outcome per account id (absent for
 * an item that planned nothing, could not be priced, or whose account is not trading).
 */
export async function commitVenue(
  deps: Pick<Deps, "db" | "bus">,
  works: readonly VenueWork[],
  now: Date = new Date(),
): Promise<Map<string, VenueOutcome>> {
  const outcomes = new Map<string, VenueOutcome>();
  if (works.length === 0) return outcomes;
  const instruments = await instrumentMap(deps.db);
  const ids = [...new Set(works.map((w) => w.accountId))].sort();
  const changes: AccountChange[] = [];
  await deps.db.tx(async (tx) => {
    // One lock statement in id order (two batches never wait on each other crosswise), then the reads behind
    // it in the same pipeline: each runs once the lock is granted, with a snapshot that sees every transaction
    // committed before. (A positions read sent ahead of the lock would miss a position that another order
    // committed while this one waited for the lock: its margin and mark would leave that position out.)
    const lock = tx<LockedAccount[]>`select ${
      lockedColumns(tx)
    } from accounts where id = any(${ids}) order by id for update`.execute();
    const reads = openPositions(tx, ids);
    for (const work of works) work.read?.(tx);
    const [accounts, positions] = await Promise.all([lock, reads]);
    const byAccount = new Map<string, VenuePosition[]>();
    for (const p of positions) byAccount.set(p.accountId, [...(byAccount.get(p.accountId) ?? []), p]);
    const locked = new Map(accounts.map((a) => [a.id, a]));
    for (const work of works) work.locked?.(locked.get(work.accountId) ?? null);
    await Promise.all(works.map(async (work) => {
      const account = locked.get(work.accountId);
      if (!account?.engine_state || !["active", "paused"].includes(account.status)) return;
      const own = byAccount.get(work.accountId) ?? [];
      const outcome = await applyWork(tx, account, own, work, instruments, now);
      if (!outcome) return;
      outcomes.set(work.accountId, outcome);
      changes.push(...outcome.sync.changes);
    }));
  });
  // Only a changed book (positions opened or closed) needs other processes' markers to re-read it.
  const moved = [...outcomes].filter(([, o]) =>
    o.settled.opened.length > 0 || o.settled.closed.length > 0 || o.liquidated !== null
  ).map(([id]) => id);
  // Said on the live frames too (after the commit recorded them: the stored log is unchanged), so an open
  // terminal refetches its book on these and not on every mark.
  for (const change of changes) if (moved.includes(change.accountId)) change.book = true;
  publishCommitted(deps.bus, changes, moved);
  return outcomes;
}

/**
 * Publishes what a committed venue write changed — the accounts' `changes` (publishChange), then, when `book`
 * names any, that those accounts' venue book changed — without waiting for the broker: the committed outcome
 * is the answer (an order's response need not wait ~0.5 ms for the broker, issue #14; nor a held one for a
 * slow Redis). Every publish is issued here, before the caller returns, on the bus's one publishing
 * connection, so the broker gets them in commit order (an account's next commit waits for this one's lock, or
 * for its row); a notification still follows its change (publishChange). Different channels, published
 * together: one round trip to the broker, not two. The bus is best effort either way (SSE resumes from
 * account_changes, markers re-read every 30 s); a failure is logged, never thrown at the caller.
 */
export function publishCommitted(bus: Bus, changes: readonly AccountChange[], book: readonly string[]): void {
  Promise.all([publishChange(bus, ...changes), book.length > 0 && publishBook(bus, book)])
    .catch((error) => log.error("publishing a venue commit failed", { scope: "venue", error }));
}

async function applyWork(
  tx: Tx,
  account: LockedAccount,
  positions: VenuePosition[],
  work: VenueWork,
  instruments: ReadonlyMap<string, Instrument>,
  now: Date,
): Promise<VenueOutcome | null> {
  const state = stateFromJson(account.engine_state);
  const plan = await work.plan({ tx, account, state, positions });
  if (!plan) return null;
  const pre = [];
  let last = state.lastEventAt;
  for (const m of work.marks ?? []) {
    const at = Math.max(m.tick.at, last);
    const mark = settle({
      balance: state.balance,
      currency: account.currency,
      positions,
      instruments,
      quotes: m.quotes,
      at,
      tick: m.tick,
      markId: tickMarkId(m.tick),
    });
    if (mark) pre.push(...mark.events);
    last = at;
  }
  const at = Math.max(work.at, last);
  const settled = settle({
    balance: state.balance,
    currency: account.currency,
    positions,
    ...plan,
    instruments,
    quotes: work.quotes,
    at,
    tick: work.tick,
    markId: work.markId,
  });
  if (!settled) return null;
  settled.events.unshift(...pre);
  // Only a tick's mark or a close can carry an id another process applied already; an order's events have
  // fresh ids (a new trade id, a random mark id), so their lookup is skipped.
  const repeatable = work.markId !== undefined || pre.length > 0 || settled.closed.length > 0;
  const seen = repeatable ? await seenIds(tx, account.id, settled) : new Set<string>();
  // The venue's rows beside the engine's (one round trip): neither reads what the other writes. The venue
  // answers no `trading` directive, so the engine path skips its self-lock read (selfLocks: false).
  const [sync] = await Promise.all([
    syncLocked(tx, account, seen, settled.events, now, { selfLocks: false }),
    writeRows(tx, account.id, settled, at),
    work.beside?.(tx),
  ]);
  let liquidated: Settled | null = null;
  let final = sync;
  const left = openAfter(positions, settled);
  if (sync.state.status !== "active" && left.length > 0) {
    const [relocked] = await tx<LockedAccount[]>`
      select ${lockedColumns(tx)} from accounts where id = ${account.id} for update`;
    const reason = sync.result.breaches.length > 0 ? "breach" as const : "blocked" as const;
    liquidated = settle({
      balance: sync.state.balance,
      currency: account.currency,
      positions: left,
      closes: left.map((p) => ({ positionId: p.id, reason })),
      instruments,
      quotes: work.quotes,
      at: Math.max(at, sync.state.lastEventAt),
      tick: work.tick,
    });
    if (liquidated) {
      const second = await syncLocked(
        tx,
        relocked,
        await seenIds(tx, account.id, liquidated),
        liquidated.events,
        now,
        { selfLocks: false },
      );
      await writeRows(tx, account.id, liquidated, at);
      final = { ...second, changes: [...sync.changes, ...second.changes] };
    }
  }
  return { sync: final, settled, liquidated };
}

/** The positions still open after `settled` (opened ones included, reduced ones at their new volume). */
function openAfter(positions: readonly VenuePosition[], settled: Settled): VenuePosition[] {
  const closed = new Set(settled.closed.map((c) => c.position.id));
  const reduced = new Map(settled.reduced.map((r) => [r.positionId, r]));
  return [...positions, ...settled.opened]
    .filter((p) => !closed.has(p.id) || reduced.has(p.id))
    .map((p) => {
      const r = reduced.get(p.id);
      return r ? { ...p, volume: r.volume, tradeId: r.tradeId } : p;
    });
}

/** Records what `settled` did in the venue's tables (and cuts a partially closed trade's history row). */
async function writeRows(tx: Tx, accountId: string, settled: Settled, at: number): Promise<void> {
  const when = isoAt(at);
  const writes: Promise<unknown>[] = [];
  for (const p of settled.opened) {
    writes.push(tx`
      insert into venue_positions (id, account_id, trade_id, symbol, direction, volume, open_price, opened_at,
                                   sl, tp)
      values (${p.id}, ${accountId}, ${p.tradeId}, ${p.symbol}, ${p.direction}, ${p.volume}, ${p.openPrice},
              ${when}, ${p.sl}, ${p.tp})`);
  }
  const reduced = new Map(settled.reduced.map((r) => [r.positionId, r]));
  for (const c of settled.closed) {
    const r = reduced.get(c.position.id);
    if (r) {
      writes.push(tx`
        update venue_positions set volume = ${r.volume}, trade_id = ${r.tradeId}
        where id = ${c.position.id} and status = 'open'`);
      // The closed engine trade's row shows the lots actually closed (the remainder is its own trade).
      writes.push(tx`
        update trades set volume = ${c.volume}
        where account_id = ${accountId} and external_id = ${c.position.tradeId}`);
    } else {
      writes.push(tx`
        update venue_positions set status = 'closed', close_price = ${c.price}, closed_at = ${when},
          close_reason = ${c.reason}
        where id = ${c.position.id} and status = 'open'`);
    }
  }
  await Promise.all(writes);
}

/** The ids of `settled`'s events the account already applied (another process marking the same tick). */
async function seenIds(tx: Tx, accountId: string, settled: Settled): Promise<Set<string>> {
  const ids = settled.events.map((e) => e.id);
  const rows = await tx<{ event_id: string }[]>`
    select event_id from account_events where account_id = ${accountId} and event_id = any(${ids})`;
  return new Set(rows.map((r) => r.event_id));
}

/**
 * Tells every process's marker that these accounts' venue book changed. Best effort, like every bus message
 * (the markers also re-read everything every 30 s): a slow bus never fails the committed order.
 */
async function publishBook(bus: Bus, accountIds: readonly string[]): Promise<void> {
  try {
    await bus.publish(VENUE_BOOK_CHANNEL, { accountIds });
  } catch (error) {
    log.warn("venue book change not published", { scope: "venue", error });
  }
}

/** The id of the mark of a tick: the same in every process, so a tick marks an account once. */
export function tickMarkId(tick: Tick): string {
  return `mark:${tick.symbol}:${tick.at}`;
}
