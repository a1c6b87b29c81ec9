/**
 * Placing, filling and cancelling venue orders (DESIGN §3.5). A market order fills at once through the
 * engine path (services/venue/engine_path.ts); a limit or stop order waits in `venue_orders` until a tick
 * triggers it (services/venue/marker.ts), and is then filled through the same checks — a triggered order
 * that is refused (margin, lock, pause) is recorded `rejected` with the reason.
 */
import type { Sql, Tx } from "../../db/client.ts";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { lockAccount } from "../accounts/persist.ts";
import type { Deps } from "../deps.ts";
import { isUuid } from "../../lib/validation.ts";
import {
  findOrder,
  openPositions,
  ORDER_COLUMNS,
  orderByKey,
  orderOf,
  type OrderRow,
  type VenueOrder,
  type VenuePosition,
} from "./book.ts";
import { assertAccountTrades, assertMargin, assertMarket, notTrading } from "./checks.ts";
import { commitVenue, publishBook } from "./engine_path.ts";
import type { Instrument } from "./instruments.ts";
import { type OrderInput, protectionErrors, triggers } from "./order_input.ts";
import { fillPrice } from "./pnl.ts";
import type { Tick } from "./price_book.ts";
import { newTradeId } from "./settle.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";
import { VenueRefusal } from "./refusals.ts";
import { orderGate } from "./order_gate.ts";
import { type TradingPermission, tradingPermission } from "./locks.ts";

export interface Placed {
  order: VenueOrder;
  position: VenuePosition | null;
  replayed: boolean;
}

/** 404 unless `accountId` is an account of `userId`'s (staff included: the venue is the owner's only). */
export async function assertOwner(sql: Sql, userId: string, accountId: string): Promise<void> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const [row] = await sql<{ user_id: string }[]>`select user_id from accounts where id = ${accountId}`;
  if (!row || row.user_id !== userId) throw new NotFound("No such account.");
}

class Replay extends Error {
  constructor(readonly order: VenueOrder) {
    super("replayed");
  }
}

/**
 * Places an order on an account of `userId`. `key` is the Idempotency-Key: the same key again answers with
 * the order it made (`replayed`).
 *
 * @throws NotFound (not the caller's account), Unprocessable (unknown symbol, SL/TP or trigger on the wrong
 *   side), VenueRefusal (the account, a lock, the market or margin says no).
 */
export async function placeOrder(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  userId: string,
  accountId: string,
  input: OrderInput,
  key: string,
  now: Date = new Date(),
): Promise<Placed> {
  const instrument = (await instrumentMap(deps.db)).get(input.symbol);
  try {
    if (input.type === "market" && instrument?.active && isUuid(accountId)) {
      // Ownership, a replay and the refusals are judged under the account's lock, from reads sent with the
      // lock statement (fillMarket `owner`): no round trip before the transaction.
      return await orderGate(deps.db).run(() =>
        fillMarket(deps, accountId, input, instrument, deps.prices, now, { key, owner: userId })
      );
    }
    // Together (one round trip): the key is only looked at once the account is known to be the caller's.
    const [, earlier] = await Promise.all([
      assertOwner(deps.db.sql, userId, accountId),
      isUuid(accountId) ? orderByKey(deps.db.sql, accountId, key) : null,
    ]);
    if (earlier) return await replayOf(deps.db.sql, earlier);
    if (!instrument?.active) throw new Unprocessable("symbol", `is not an instrument traded here`);
    return await placePending(deps, accountId, input, instrument, key, now);
  } catch (error) {
    if (error instanceof Replay) return await replayOf(deps.db.sql, error.order);
    throw error;
  }
}

async function replayOf(sql: Sql, order: VenueOrder): Promise<Placed> {
  const position = order.positionId ? await positionById(sql, order.positionId) : null;
  return { order, position, replayed: true };
}

async function positionById(sql: Sql, id: string): Promise<VenuePosition | null> {
  const [row] = await sql<{ account_id: string }[]>`select account_id from venue_positions where id = ${id}`;
  if (!row) return null;
  return (await openPositions(sql, [row.account_id])).find((p) => p.id === id) ?? null;
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
  let reads: Promise<[
    PromiseSettledResult<{ user_id: string; status: string }[] | null>,
    PromiseSettledResult<{ status: string }[] | null>,
    PromiseSettledResult<VenueOrder | null>,
    PromiseSettledResult<TradingPermission>,
  ]>;
  const value = <T>(r: PromiseSettledResult<T>): T => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  };
  /** 404 unless the account is `opts.owner`'s (read behind the lock: it answers for skipped accounts too). */
  const assertOwned = (owner: PromiseSettledResult<{ user_id: string; status: string }[] | null>) => {
    if (opts.owner === undefined) return;
    const row = value(owner)?.[0];
    if (!row || row.user_id !== opts.owner) throw new NotFound("No such account.");
  };
  const outcomes = await commitVenue(deps, [{
    accountId,
    quotes,
    at: +now,
    tick: opts.tick,
    // Sent behind the lock statement (no round trip of their own), judged in `plan` in this order: gone,
    // replayed, refused.
    read(tx) {
      reads = Promise.allSettled([
        opts.owner === undefined ? null : tx<
          { user_id: string; status: string }[]
        >`select user_id, status from accounts where id = ${accountId}`,
        // Another process's marker may have filled or the trader cancelled it meanwhile (we hold the lock).
        opts.pendingId
          ? tx<{ status: string }[]>`select status from venue_orders where id = ${opts.pendingId}`
          : null,
        opts.key ? orderByKey(tx, accountId, opts.key) : null,
        tradingPermission(tx, accountId, now),
      ]);
    },
    async plan({ tx, account, state, positions }) {
      const [owner, pending, earlier, permission] = await reads;
      assertOwned(owner);
      if (opts.pendingId && value(pending)?.[0]?.status !== "pending") return null;
      const replayed = value(earlier);
      if (replayed) throw new Replay(replayed);
      await assertAccountTrades(tx, account, now, () => value(permission));
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
      order = await recordOrder(tx, accountId, {
        ...input,
        type: "market",
        price: null,
        status: "filled",
        positionId,
        fillPrice: position!.openPrice,
        key: opts.key ?? null,
        pendingId: opts.pendingId ?? null,
      }, now);
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
    const [owner, , earlier] = await reads!;
    assertOwned(owner);
    const replayed = value(earlier);
    if (replayed) throw new Replay(replayed);
    const status = value(owner)?.[0]?.status;
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

async function placePending(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  accountId: string,
  input: OrderInput,
  instrument: Instrument,
  key: string,
  now: Date,
): Promise<Placed> {
  const price = input.price!;
  const errors = protectionErrors(input.direction, price, input.sl, input.tp);
  if (Object.keys(errors).length > 0) throw new Unprocessable(errors);
  const order = await deps.db.tx(async (tx) => {
    const account = await lockAccount(tx, accountId);
    if (!account) throw new NotFound("No such account.");
    const earlier = await orderByKey(tx, accountId, key);
    if (earlier) throw new Replay(earlier);
    await assertAccountTrades(tx, account, now);
    const tick = assertMarket(instrument, deps.prices, now);
    if (triggers({ ...input, price }, tick)) {
      throw new Unprocessable(
        "price",
        `would trigger at once at the current price (bid ${tick.bid}, ask ${tick.ask}); send a market order`,
      );
    }
    return await recordOrder(tx, accountId, {
      ...input,
      price,
      status: "pending",
      positionId: null,
      fillPrice: null,
      key,
      pendingId: null,
    }, now);
  });
  await publishBook(deps.bus, [accountId]);
  return { order, position: null, replayed: false };
}

async function recordOrder(
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

/** Cancels a pending order of the caller's account; 404 for another's or an unknown one, 409 once settled. */
export async function cancelOrder(
  deps: Pick<Deps, "db" | "bus">,
  userId: string,
  accountId: string,
  orderId: string,
  now: Date = new Date(),
): Promise<VenueOrder> {
  await assertOwner(deps.db.sql, userId, accountId);
  const order = await findOrder(deps.db.sql, accountId, orderId);
  if (!order) throw new NotFound("No such order.");
  const [row] = await deps.db.sql<{ id: string }[]>`
    update venue_orders set status = 'cancelled', updated_at = ${now}
    where id = ${orderId} and account_id = ${accountId} and status = 'pending' returning id`;
  if (row) await publishBook(deps.bus, [accountId]);
  if (!row) {
    throw new Conflict(`The order is ${order.status} and can no longer be cancelled.`);
  }
  return (await findOrder(deps.db.sql, accountId, orderId))!;
}

/** Fills a pending order a tick triggered; a refusal marks it `rejected` with the sentence. */
export async function fillTriggered(
  deps: Pick<Deps, "db" | "bus">,
  order: VenueOrder,
  quotes: Quotes,
  tick: Tick,
): Promise<void> {
  const instruments = await instrumentMap(deps.db);
  const instrument = instruments.get(order.symbol);
  const now = new Date(Math.max(Date.now(), tick.at));
  try {
    if (!instrument) throw new VenueRefusal("market_closed", `${order.symbol} is no longer traded here.`);
    await fillMarket(deps, order.accountId, order, instrument, quotes, now, { pendingId: order.id, tick });
  } catch (error) {
    const reason = error instanceof VenueRefusal || error instanceof Unprocessable
      ? `${error.code}: ${error.message}`
      : null;
    if (reason === null) throw error;
    await deps.db.sql`
      update venue_orders set status = 'rejected', reason = ${reason}, updated_at = ${now}
      where id = ${order.id} and status = 'pending'`;
  }
}
