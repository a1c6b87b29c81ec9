/**
 * A trader's changes to open positions: SL/TP, close, partial close. Closing goes through the engine path
 * (services/venue/settle.ts explains how a partial close maps onto trade_close / trade_open).
 */
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import type { Deps } from "../deps.ts";
import { openPositions, type VenuePosition } from "./book.ts";
import { assertMarket } from "./checks.ts";
import { compareDecimal } from "./decimal.ts";
import { commitVenue, publishCommitted } from "./engine_path.ts";
import { trimDecimal } from "./instruments.ts";
import { protectionErrors } from "./order_input.ts";
import { markPrice } from "./pnl.ts";
import { VenueRefusal } from "./refusals.ts";
import { assertOwner } from "./orders.ts";
import { instrumentMap } from "./valuation.ts";

async function ownPosition(deps: Pick<Deps, "db">, userId: string, accountId: string, positionId: string) {
  await assertOwner(deps.db.sql, userId, accountId);
  const position = (await openPositions(deps.db.sql, [accountId])).find((p) => p.id === positionId);
  if (!position) throw new NotFound("No such open position.");
  return position;
}

/** Sets (or clears, with null) a position's stop-loss and take-profit, checked against the current mark. */
export async function protectPosition(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  userId: string,
  accountId: string,
  positionId: string,
  input: { sl: string | null; tp: string | null },
): Promise<VenuePosition> {
  const position = await ownPosition(deps, userId, accountId, positionId);
  const quote = deps.prices.latest(position.symbol);
  if (!quote) throw new VenueRefusal("no_price", `There is no price for ${position.symbol} yet; try again.`);
  const errors = protectionErrors(
    position.direction,
    markPrice(position.direction, quote),
    input.sl,
    input.tp,
  );
  if (Object.keys(errors).length > 0) throw new Unprocessable(errors);
  // The position may have been closed (a tick hit its SL/TP, the trader's other tab) or partly closed since it
  // was read: only a position still open is changed and published, and the answer is the row as updated (a
  // partial close left fewer lots under a new trade id; the levels still hold, as they depend on neither).
  const [row] = await deps.db.sql<{ volume: string; trade_id: string }[]>`
    update venue_positions set sl = ${input.sl}, tp = ${input.tp}
    where id = ${positionId} and account_id = ${accountId} and status = 'open'
    returning volume, trade_id`;
  if (!row) {
    throw new Conflict("The position was closed meanwhile; its stop-loss and take-profit were not set.");
  }
  publishCommitted(deps.bus, [], [accountId]);
  return { ...position, volume: trimDecimal(row.volume), tradeId: row.trade_id, sl: input.sl, tp: input.tp };
}

/**
 * Closes a position (or `volume` lots of it) at the current mark through the engine path. Closing is allowed
 * while paused or locked (it only reduces risk), but not on a closed market.
 */
export async function closePosition(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  userId: string,
  accountId: string,
  positionId: string,
  input: { volume?: string },
  now: Date = new Date(),
): Promise<{ position: VenuePosition; closedVolume: string; price: string; pnl: string }> {
  const position = await ownPosition(deps, userId, accountId, positionId);
  const volume = input.volume ?? position.volume;
  if (compareDecimal(volume, position.volume) > 0) {
    throw new Unprocessable("volume", `must be at most the position's ${position.volume} lots`);
  }
  const instrument = (await instrumentMap(deps.db)).get(position.symbol)!;
  assertMarket(instrument, deps.prices, now);
  const outcomes = await commitVenue(deps, [{
    accountId,
    quotes: deps.prices,
    at: +now,
    plan: ({ positions }) =>
      positions.some((p) => p.id === positionId)
        ? { closes: [{ positionId, volume, reason: "trader" }] }
        : null,
  }], now);
  const closed = outcomes.get(accountId)?.settled.closed.find((c) => c.position.id === positionId);
  if (!closed) throw new NotFound("No such open position.");
  return { position, closedVolume: closed.volume, price: closed.price, pnl: closed.pnl };
}
