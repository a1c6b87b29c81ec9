/**
 * Filling a market order (DESIGN §3.5): at once for a trader's market order, or when a tick triggers a pending
 * limit/stop order (services/venue/marker.ts), through the engine path (services/venue/engine_path.ts) in one
 * transaction of three round trips — BEGIN with the account's lock (its row says whose it is) and this order's
 * reads behind it (replay, the pending order's status, self-locks); the engine's writes with the order's row;
 * COMMIT.
 */
import type { Tx } from "../../db/client.ts";
import { NotFound, Unprocessable } from "../../lib/errors.ts";
import type { Deps } from "../deps.ts";
import type { LockedAccount } from "../accounts/persist.ts";
import {
  findOrder,
  ORDER_COLUMNS,
  orderByKey,
  orderOf,
  type OrderRow,
  type VenueOrder,
  type VenuePosition,
} from "./book.ts";
import { assertAccountTrades, assertMargin, assertMarket, notTrading } from "./checks.ts";
import { commitVenue } from "./engine_path.ts";
import type { Instrument } from "./instruments.ts";
import { type OrderInput, protectionErrors } from "./order_input.ts";
import { fillPrice } from "./pnl.ts";
import type { Tick } from "./price_book.ts";
import { newTradeId } from "./settle.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";
import { VenueRefusal } from "./refusals.ts";
import { type TradingPermission, tradingPermission } from "./locks.ts";

export interface Placed {
  order: VenueOrder;
  position: VenuePosition | null;
  replayed: boolean;
}

/** An order already made with this Idempotency-Key (the caller answers with it). */
export class Replay extends Error {
  constructor(readonly order: VenueOrder) {
    super("replayed");
  }
}

/**
 * Fills a market order (or a triggered pending one, `pendingId`) at `quotes` through the engine path and
 * records the order as filled.
 */
export async function fillMarket(
  deps: Pick<Deps, "db" | "bus">,
  accountId: string,
  input: Pick<OrderInput, "symbol" | "direction" | "volume" | "sl" | "tp">,
  instrument: Instrument,
  quotes: Quotes,
  now: Date,
  opts: { key?: string; pendingId?: string; tick?: Tick; owner?: string } = {},
): Promise<Placed> {
  const instruments = await instrumentMap(deps.db);
  const positionId = crypto.randomUUID();
  let order: VenueOrder | null = null;
  let position: VenuePosition | null = null;
  let firstFill = false;
  // Set by `locked` (a callback: typed so the checker does not take it for always null).
  let row = null as LockedAccount | null;
  let reads: Promise<[
    PromiseSettledResult<{ status: string }[] | null>,
    PromiseSettledResult<VenueOrder | null>,
    PromiseSettledResult<TradingPermission>,
  ]>;
  const value = <T>(r: PromiseSettledResult<T>): T => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  };
  /** 404 unless the account is `opts.owner`'s (its locked row: given for skipped accounts too). */
  const assertOwned = () => {
    if (opts.owner === undefined) return;
    if (!row || row.user_id !== opts.owner) throw new NotFound("No such account.");
  };
  const outcomes = await commitVenue(deps, [{
    accountId,
    quotes,
    at: +now,
    tick: opts.tick,
    // Sent behind the lock statement (no round trip of their own), judged in `plan` in this order: gone,
    // replayed, refused.
    locked(account) {
      row = account;
    },
    read(tx) {
      reads = Promise.allSettled([
        // Another process's marker may have filled or the trader cancelled it meanwhile (we hold the lock).
        opts.pendingId
          ? tx<{ status: string }[]>`select status from venue_orders where id = ${opts.pendingId}`
          : null,
        opts.key ? orderByKey(tx, accountId, opts.key) : null,
        tradingPermission(tx, accountId, now),
      ]);
    },
    async plan({ tx, account, state, positions }) {
      const [pending, earlier, permission] = await reads;
      assertOwned();
      if (opts.pendingId && value(pending)?.[0]?.status !== "pending") return null;
      const replayed = value(earlier);
      if (replayed) throw new Replay(replayed);
      await assertAccountTrades(tx, account, now, () => value(permission));
      firstFill = account.trade_source === null;
      const tick = assertMarket(instrument, quotes, now);
      const price = fillPrice(input.direction, tick);
      const errors = protectionErrors(input.direction, price, input.sl, input.tp);
      if (Object.keys(errors).length > 0) throw new Unprocessable(errors);
      position = {
        id: positionId,
        accountId,
        tradeId: newTradeId(),
        symbol: input.symbol,
        direction: input.direction,
        volume: input.volume,
        openPrice: price,
        openedAt: now,
        sl: input.sl ?? null,
        tp: input.tp ?? null,
      };
      assertMargin({
        balance: state.balance,
        currency: account.currency,
        positions,
        candidate: position,
        instruments,
        quotes,
      });
      return { opens: [position] };
    },
    // The order's row beside the engine's writes (the same round trip).
    async beside(tx) {
      // The first fill makes the account the venue's (the lock statement read its source: null or ours).
      const claim = firstFill
        ? tx`update accounts set trade_source = 'venue' where id = ${accountId} and trade_source is null`
        : null;
      [order] = await Promise.all([
        recordOrder(tx, accountId, {
          ...input,
          type: "market",
          price: null,
          status: "filled",
          positionId,
          fillPrice: position!.openPrice,
          key: opts.key ?? null,
          pendingId: opts.pendingId ?? null,
        }, now),
        claim,
      ]);
    },
  }], now);
  if (opts.pendingId && !order) {
    return {
      order: (await findOrder(deps.db.sql, accountId, opts.pendingId))!,
      position: null,
      replayed: true,
    };
  }
  if (!outcomes.has(accountId) || !order) {
    // The engine path took no action: an account that is not (or no longer) trading is skipped without a
    // plan, so it is judged here from the same reads — whose it is, a replay, then why it takes no orders.
    const [, earlier] = await reads!;
    assertOwned();
    const replayed = value(earlier);
    if (replayed) throw new Replay(replayed);
    const status = row?.status;
    if (status !== undefined && status !== "active" && status !== "paused") {
      throw new VenueRefusal("not_trading", notTrading(status));
    }
    throw new VenueRefusal(
      "no_price",
      "The order could not be priced (a quote or conversion rate is missing).",
    );
  }
  return { order, position, replayed: false };
}

/** Writes the order's row (a new one, or the pending one now filled), returned as `findOrder` reads it. */
export async function recordOrder(
  tx: Tx,
  accountId: string,
  o: Pick<OrderInput, "symbol" | "direction" | "volume" | "sl" | "tp"> & {
    type: VenueOrder["type"];
    price: string | null;
    status: VenueOrder["status"];
    positionId: string | null;
    fillPrice: string | null;
    key: string | null;
    pendingId: string | null;
  },
  now: Date,
): Promise<VenueOrder> {
  // Returning the row as `findOrder` reads it: no second round trip.
  if (o.pendingId) {
    const [filled] = await tx<OrderRow[]>`
      update venue_orders set status = 'filled', position_id = ${o.positionId}, fill_price = ${o.fillPrice},
        updated_at = ${now}
      where id = ${o.pendingId} and account_id = ${accountId}
      returning ${tx(ORDER_COLUMNS)}`;
    return orderOf(filled);
  }
  const [row] = await tx<OrderRow[]>`
    insert into venue_orders (account_id, symbol, direction, type, volume, price, sl, tp, status,
                              idempotency_key, position_id, fill_price, created_at, updated_at)
    values (${accountId}, ${o.symbol}, ${o.direction}, ${o.type}, ${o.volume}, ${o.price}, ${o.sl ?? null},
            ${o.tp ?? null}, ${o.status}, ${o.key}, ${o.positionId}, ${o.fillPrice}, ${now}, ${now})
    returning ${tx(ORDER_COLUMNS)}`;
  return orderOf(row);
}
