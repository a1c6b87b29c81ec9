/**
 * The venue's reasons to refuse an order, in the order a trader would want to hear them: the account (traded
 * through a platform's connector, not trading, paused), the trader's own self-locks, the market (closed, no price), then margin. Each refusal is a
 * VenueRefusal: a code and a sentence with the figures.
 */
import type { Sql } from "../../db/client.ts";
import { formatMoney, fromMinor } from "../money.ts";
import { type AccountState, stateFromJson } from "../engine/state.ts";
import { isoAt } from "../time.ts";
import type { VenuePosition } from "./book.ts";
import { type Instrument, marketOpen, nextOpen } from "./instruments.ts";
import { type TradingPermission, tradingPermission } from "./locks.ts";
import type { Tick } from "./price_book.ts";
import { VenueRefusal } from "./refusals.ts";
import { onPlatform } from "../accounts/trade_source.ts";
import { type Quotes, valuate, valuePosition } from "./valuation.ts";

/**
 * Refuses unless the account may open a trade now (its trade source, status, then self-locks). The source
 * comes with the row the caller already read (the order path's lock statement): no read of its own. The
 * `platform` refusal names the connector's platform when that row carries `trade_platform` (the terminal's
 * view reads it anyway); the order path's lock statement does not, and its refusal keeps the general sentence
 * rather than spend a read on it.
 * `permission` answers the self-locks: by default a read now; the order path passes the answer of a read it
 * sent behind the account's lock statement (services/venue/engine_path.ts `read`).
 */
export async function assertAccountTrades(
  sql: Sql,
  account: {
    id: string;
    status: string;
    engine_state: unknown;
    trade_source: string | null;
    trade_platform?: string | null;
  },
  now: Date,
  permission: () => TradingPermission | Promise<TradingPermission> = () =>
    tradingPermission(sql, account.id, now),
): Promise<AccountState> {
  // First: whatever the status, a connector's account is never the venue's to trade.
  if (account.trade_source === "connector") {
    throw new VenueRefusal("platform", onPlatform(account.trade_platform));
  }
  if (account.status === "paused") {
    const state = stateFromJson(account.engine_state);
    const until = state.pausedUntil === null ? "the next reset" : isoAt(state.pausedUntil);
    throw new VenueRefusal(
      "account_paused",
      `Trading is paused on this account after it reached its daily loss limit; it resumes at ${until}.`,
    );
  }
  if (account.status !== "active" || !account.engine_state) {
    throw new VenueRefusal("not_trading", notTrading(account.status));
  }
  const held = await permission();
  if (!held.allowed) {
    throw new VenueRefusal(
      "self_locked",
      `Your own trading lock holds${held.until ? ` until ${held.until}` : ""}: ${held.reason}`,
    );
  }
  return stateFromJson(account.engine_state);
}

/** The sentence of the `not_trading` refusal. */
export function notTrading(status: string): string {
  return `This account is not trading (status ${status}); it takes no orders.`;
}

/** Refuses unless `instrument` trades at `now` and has a quote; returns the quote. */
export function assertMarket(instrument: Instrument, quotes: Quotes, now: Date): Tick {
  if (!marketOpen(instrument, now)) {
    const opens = nextOpen(instrument, now);
    throw new VenueRefusal(
      "market_closed",
      `${instrument.symbol} is closed now; ` +
        (opens ? `it opens at ${opens.toISOString()}.` : "it has no upcoming session."),
    );
  }
  const tick = quotes.latest(instrument.symbol);
  if (!tick) throw new VenueRefusal("no_price", `There is no price for ${instrument.symbol} yet; try again.`);
  return tick;
}

/**
 * Refuses unless the free margin (equity − used margin, at `quotes`) covers the margin of `candidate` at its
 * price: volume × contractSize × price / leverage, in the account currency.
 */
export function assertMargin(input: {
  balance: bigint;
  currency: string;
  positions: readonly VenuePosition[];
  candidate: Pick<VenuePosition, "symbol" | "direction" | "volume" | "openPrice">;
  instruments: ReadonlyMap<string, Instrument>;
  quotes: Quotes;
}): void {
  const { currency, instruments, quotes, candidate } = input;
  const instrument = instruments.get(candidate.symbol)!;
  const value = valuate(input.positions, instruments, quotes, currency);
  const own = valuePosition(candidate, instrument, quotes, currency);
  if (!value || !own) {
    throw new VenueRefusal(
      "no_price",
      "Some of the prices needed to value this account are missing; try again.",
    );
  }
  const equity = input.balance + value.floating;
  const free = equity - value.usedMargin;
  if (own.margin > free) {
    const m = (minor: bigint) => formatMoney(fromMinor(minor), currency);
    throw new VenueRefusal(
      "insufficient_margin",
      `Not enough free margin: ${candidate.volume} lots of ${candidate.symbol} need ${m(own.margin)} ` +
        `(1:${instrument.leverage}), and ${m(free < 0n ? 0n : free)} is free ` +
        `(equity ${m(equity)} − used margin ${m(value.usedMargin)}).`,
    );
  }
}
