/**
 * Placing, filling and cancelling venue orders (DESIGN §3.5). A market order fills at once through the
 * engine path (services/venue/engine_path.ts); a limit or stop order waits in `venue_orders` until a tick
 * triggers it (services/venue/marker.ts), and is then filled through the same checks — a triggered order
 * that is refused (margin, lock, pause) is recorded `rejected` with the reason.
 */
import type { Sql } from "../../db/client.ts";
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
import { assertAccountTrades, assertMarket } from "./checks.ts";
import { publishCommitted } from "./engine_path.ts";
import type { Instrument } from "./instruments.ts";
import { type OrderInput, protectionErrors, triggers } from "./order_input.ts";
import type { Tick } from "./price_book.ts";
import { instrumentMap, type Quotes } from "./valuation.ts";
import { VenueRefusal } from "./refusals.ts";
import { orderGate } from "./order_gate.ts";
import { fillMarket, type Placed, recordOrder, Replay } from "./fill.ts";

export type { Placed };

/** 404 unless `accountId` is an account of `userId`'s (staff included: the venue is the owner's only). */
export async function assertOwner(sql: Sql, userId: string, accountId: string): Promise<void> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const [row] = await sql<{ user_id: string }[]>`select user_id from accounts where id = ${accountId}`;
  if (!row || row.user_id !== userId) throw new NotFound("No such account.");
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
  publishCommitted(deps.bus, [], [accountId]);
  return { order, position: null, replayed: false };
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
  const [row] = await deps.db.sql<OrderRow[]>`
    update venue_orders set status = 'cancelled', updated_at = ${now}
    where id = ${orderId} and account_id = ${accountId} and status = 'pending'
    returning ${deps.db.sql(ORDER_COLUMNS)}`;
  if (!row) {
    // Not pending (or not this account's): read only now, so the sentence names the status it has now.
    const order = await findOrder(deps.db.sql, accountId, orderId);
    if (!order) throw new NotFound("No such order.");
    throw new Conflict(`The order is ${order.status} and can no longer be cancelled.`);
  }
  publishCommitted(deps.bus, [], [accountId]);
  return orderOf(row);
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
