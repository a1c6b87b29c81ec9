/**
 * A venue action as engine events (DESIGN §3.5: the same path as demo-sync). Everything the venue does to an
 * account — a fill, a close, a partial close, an SL/TP or a liquidation, a tick's re-mark — becomes, at one
 * instant `at`:
 *
 * 1. `trade_open` per filled order (price = the fill: ask for a buy, bid for a sell);
 * 2. `trade_close` per closed position, `pnl` = realized P&L in the account currency net of both sides'
 *    commission. **A partial close** of `v` lots of a position of `V` closes the position's engine trade
 *    (the engine knows whole trades only) with the P&L of the `v` lots closed — and opens the remaining
 *    `V − v` at the original entry price as a new engine trade (`trade_open`, new trade id). Both happen at
 *    the same instant, so no mark sees the account without the remainder; the venue position keeps its id and
 *    points at the new trade (venue_positions.trade_id), and the closed trade's history row is cut to `v`
 *    lots (services/venue/engine_path.ts). The remainder's `trade_open` counts as trading activity on its
 *    day, like any open;
 * 3. one `equity` mark: balance = the balance after the closes, equity = balance + Σ (floating P&L − opening
 *    commission) of what stays open, at the same quotes. A mark made for a tick names it (symbol, bid, ask,
 *    tickAt), so a breach it causes names the tick in its evidence.
 */
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor, toMinor } from "../money.ts";
import { isoAt } from "../time.ts";
import type { VenuePosition } from "./book.ts";
import { rateToAccount } from "./conversion.ts";
import { subDecimal } from "./decimal.ts";
import type { Instrument } from "./instruments.ts";
import { markPrice, realizedPnl } from "./pnl.ts";
import type { Tick } from "./price_book.ts";
import { type Quotes, valuate } from "./valuation.ts";

export type CloseReason = "trader" | "sl" | "tp" | "breach" | "blocked";

export interface CloseRequest {
  positionId: string;
  /** Lots to close; the whole position when absent. */
  volume?: string;
  reason: CloseReason;
}

/** What the venue tables must record once the engine applied the events. */
export interface Settled {
  events: SyncEvent[];
  opened: VenuePosition[];
  closed: { position: VenuePosition; volume: string; price: string; pnl: string; reason: CloseReason }[];
  /** Partially closed positions: their remaining volume and new engine trade. */
  reduced: { positionId: string; volume: string; tradeId: string }[];
  /** The equity the mark carries (minor units). */
  equity: bigint;
  balance: bigint;
}

/** A fresh engine trade id for the venue (trades.external_id). */
export function newTradeId(): string {
  return `V-${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/**
 * Builds the events of one venue action on an account whose engine balance is `balance` and whose open venue
 * positions are `positions`; null when a quote or a conversion rate is missing.
 */
export function settle(input: {
  balance: bigint;
  currency: string;
  positions: readonly VenuePosition[];
  opens?: readonly VenuePosition[];
  closes?: readonly CloseRequest[];
  instruments: ReadonlyMap<string, Instrument>;
  quotes: Quotes;
  at: number;
  /** The tick behind this mark, named in it. */
  tick?: Tick;
  markId?: string;
}): Settled | null {
  const { currency, instruments, quotes, at } = input;
  const iso = isoAt(at);
  const events: SyncEvent[] = [];
  const out: Settled = { events, opened: [], closed: [], reduced: [], equity: 0n, balance: input.balance };
  for (const p of input.opens ?? []) {
    events.push({
      type: "trade_open",
      id: `open:${p.tradeId}`,
      at: iso,
      tradeId: p.tradeId,
      symbol: p.symbol,
      direction: p.direction,
      volume: p.volume,
      price: p.openPrice,
    });
    out.opened.push(p);
  }
  const remaining = new Map([...input.positions, ...(input.opens ?? [])].map((p) => [p.id, p]));
  for (const c of input.closes ?? []) {
    const position = remaining.get(c.positionId);
    if (!position) continue;
    const instrument = instruments.get(position.symbol);
    const quote = quotes.latest(position.symbol);
    const rate = instrument && rateToAccount(quotes, instrument.quoteCurrency, currency);
    const usd = rateToAccount(quotes, "USD", currency);
    if (!instrument || !quote || !rate || !usd) return null;
    const volume = c.volume ?? position.volume;
    const price = markPrice(position.direction, quote);
    const part = { ...position, volume, contractSize: instrument.contractSize };
    const pnl = realizedPnl(part, price, rate, instrument.commissionPerLot, usd);
    events.push({
      type: "trade_close",
      id: `close:${position.tradeId}`,
      at: iso,
      tradeId: position.tradeId,
      price,
      pnl,
    });
    out.balance += toMinor(pnl);
    out.closed.push({ position, volume, price, pnl, reason: c.reason });
    const left = subDecimal(position.volume, volume);
    if (/^0*(\.0*)?$/.test(left)) {
      remaining.delete(position.id);
    } else {
      const tradeId = newTradeId();
      events.push({
        type: "trade_open",
        id: `open:${tradeId}`,
        at: iso,
        tradeId,
        symbol: position.symbol,
        direction: position.direction,
        volume: left,
        price: position.openPrice,
      });
      remaining.set(position.id, { ...position, volume: left, tradeId });
      out.reduced.push({ positionId: position.id, volume: left, tradeId });
    }
  }
  const value = valuate([...remaining.values()], instruments, quotes, currency);
  if (!value) return null;
  out.equity = out.balance + value.floating;
  events.push(markEvent({
    id: input.markId ?? `mark:${crypto.randomUUID()}`,
    at,
    equity: out.equity,
    balance: out.balance,
    tick: input.tick,
  }));
  return out;
}

/**
 * The `equity` mark at `at` (step 3 above), naming its tick when there is one — the one shape of a mark, shared
 * by `settle` and the marker's own writes of plain marks (services/venue/marker.ts).
 */
export function markEvent(
  input: { id: string; at: number; equity: bigint; balance: bigint; tick?: Tick },
): SyncEvent {
  const tick = input.tick;
  return {
    type: "equity",
    id: input.id,
    at: isoAt(input.at),
    equity: fromMinor(input.equity),
    balance: fromMinor(input.balance),
    ...(tick ? { symbol: tick.symbol, bid: tick.bid, ask: tick.ask, tickAt: isoAt(tick.at) } : {}),
  };
}
