/**
 * The demo trader's trading: the sync events (DESIGN §4) of a day — opens, intraday equity marks and closes
 * whose P&L follows from the prices. Pure: no database, no clock. Money is integer cents and prices integer
 * ticks, so every figure in an event is exact and each close's `pnl` is (exit − entry) × volume × contract
 * value − commission.
 */
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor } from "../money.ts";
import { isoAt } from "../time.ts";
import type { Random } from "./random.ts";
import { INSTRUMENTS, type Market } from "./instruments.ts";

/** One day of trading to turn into events. */
export interface DayInput {
  random: Random;
  market: Market;
  dayKey: string;
  /** When trading happens (epoch ms); the trades share it in equal slots. */
  from: number;
  to: number;
  /** The account's balance when the day starts, and its size relative to 100,000 (volumes scale with it). */
  balance: number;
  scale: number;
  /** The wanted net P&L of each trade, in order (cents); the prices make them exact to a tick. */
  pnls: readonly number[];
  /** Equity never goes below this during the day (cents): the floors plus a margin. */
  safety: number;
  eventId: (n: number) => string;
  tradeId: () => string;
  /** The last trade is still open when the day's events end (the day is today). */
  leaveOpen?: boolean;
}

export interface DayOutput {
  events: SyncEvent[];
  /** The balance after the day's closes. */
  balance: number;
}

/** The events of a day of trading: for each trade an open, one to three equity marks and a close. */
export function tradingDayEvents(input: DayInput): DayOutput {
  const { random, pnls } = input;
  const events: SyncEvent[] = [];
  let balance = input.balance;
  const slot = (input.to - input.from) / pnls.length;
  const at = (t: number) => isoAt(Math.floor(t / 1000) * 1000);
  const push = (event: DistributiveOmit<SyncEvent, "id">) =>
    events.push({ ...event, id: input.eventId(events.length + 1) } as SyncEvent);

  pnls.forEach((wanted, i) => {
    const last = i === pnls.length - 1;
    const open = !!input.leaveOpen && last;
    // A loss never takes the balance under the safety line (the day's plan is a wish, the floor is not).
    const pnl = Math.max(wanted, input.safety - balance + 100_00);
    const trade = priceTrade(input, pnl);
    const start = input.from + slot * i + slot * random.between(0.02, 0.3);
    const end = open ? input.to : start + Math.max(180_000, slot * random.between(0.25, 0.65));
    push({
      type: "trade_open",
      at: at(start),
      tradeId: trade.tradeId,
      symbol: trade.instrument.symbol,
      direction: trade.direction,
      volume: decimal(trade.volume, 2),
      price: decimal(trade.entry, trade.instrument.decimals),
    });
    const marks = open ? 3 : random.int(1, 3);
    for (let m = 1; m <= marks; m++) {
      const f = open ? m / marks : m / (marks + 1);
      const noise = random.between(-0.6, 0.6) * Math.max(Math.abs(trade.move), trade.instrument.range * 0.08);
      // In the trade's favour, in ticks; an adverse excursion stops short of the safety line.
      let favour = Math.round(trade.move * f + (open && m === marks ? 0 : noise));
      favour = Math.max(favour, -Math.floor((balance - input.safety) / trade.centsPerTick));
      const t = open && m === marks ? input.to : start + (end - start) * f;
      push({
        type: "equity",
        at: at(t),
        equity: fromMinor(BigInt(balance + favour * trade.centsPerTick)),
        balance: fromMinor(BigInt(balance)),
      });
    }
    if (open) return;
    balance += trade.net;
    push({
      type: "trade_close",
      at: at(end),
      tradeId: trade.tradeId,
      price: decimal(trade.exit, trade.instrument.decimals),
      pnl: fromMinor(BigInt(trade.net)),
    });
  });
  return { events, balance };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A trade whose net P&L is as close to `pnl` as the instrument's tick allows. */
export function priceTrade(
  input: Pick<DayInput, "random" | "market" | "dayKey" | "scale" | "tradeId">,
  pnl: number,
  pick: { symbol?: string; direction?: "buy" | "sell" } = {},
) {
  const { random } = input;
  const instrument = INSTRUMENTS.find((i) => i.symbol === pick.symbol) ?? pickWeighted(random, INSTRUMENTS);
  const direction = pick.direction ?? (random.chance(0.52) ? "buy" as const : "sell" as const);
  // A move of a fraction of the day's range; the volume is what makes that move worth about `pnl`.
  const wantedMove = Math.max(1, instrument.range * random.between(0.12, 0.55));
  const perLot = wantedMove * instrument.centsPerTickPerLot;
  const maxVolume = Math.max(instrument.lotStep, Math.round(instrument.lotStep * 60 * input.scale));
  let volume = Math.round((Math.abs(pnl) / perLot) * 100 / instrument.lotStep) * instrument.lotStep;
  volume = Math.min(maxVolume, Math.max(instrument.lotStep, volume));
  const centsPerTick = (volume * instrument.centsPerTickPerLot) / 100;
  const commission = (volume * instrument.commissionPerLot) / 100;
  const move = Math.round((pnl + commission) / centsPerTick);
  const level = input.market.level(instrument, input.dayKey);
  const entry = level + Math.round(random.between(-0.5, 0.5) * instrument.range);
  const sign = direction === "buy" ? 1 : -1;
  return {
    tradeId: input.tradeId(),
    instrument,
    direction,
    volume,
    entry,
    exit: entry + sign * move,
    /** In the trade's favour, in ticks. */
    move,
    centsPerTick,
    net: move * centsPerTick - commission,
  };
}

export interface BreachInput extends Omit<DayInput, "pnls" | "safety" | "leaveOpen"> {
  /** The day's daily-loss floor and the maximum-loss floor (cents). */
  floor: number;
  maxFloor: number | null;
}

/**
 * A day that ends in a daily-loss breach: a losing trade in the morning, then a large gold long that runs
 * against the trader. The mark that takes equity under `floor` (and not under `maxFloor`) is the breach; the
 * venue's liquidation closes the position a minute later (recorded, no longer evaluated).
 */
export function breachEvents(input: BreachInput): DayOutput {
  const { random } = input;
  const third = input.from + (input.to - input.from) / 3;
  const morning = tradingDayEvents({
    ...input,
    to: third,
    pnls: [-Math.round((input.balance - input.floor) * 0.3)],
    safety: input.floor + 1,
  });
  const events = [...morning.events];
  const balance = morning.balance;
  const distance = balance - input.floor;
  const trade = priceTrade(input, -Math.round(distance * 1.2), { symbol: "XAUUSD", direction: "buy" });
  const room = input.maxFloor === null
    ? 50_00
    : Math.min(50_00, Math.floor((input.floor - input.maxFloor) / 2));
  const overshoot = Math.max(1, Math.round(random.between(0.2, 1) * room));
  let t = third + random.between(10, 40) * 60_000;
  const at = () => isoAt(Math.floor(t / 1000) * 1000);
  const push = (event: DistributiveOmit<SyncEvent, "id">) =>
    events.push({ ...event, id: input.eventId(events.length + 1) } as SyncEvent);
  push({
    type: "trade_open",
    at: at(),
    tradeId: trade.tradeId,
    symbol: trade.instrument.symbol,
    direction: trade.direction,
    volume: decimal(trade.volume, 2),
    price: decimal(trade.entry, trade.instrument.decimals),
  });
  const mark = (favour: number) => {
    t += random.between(8, 35) * 60_000;
    push({
      type: "equity",
      at: at(),
      equity: fromMinor(BigInt(balance + favour * trade.centsPerTick)),
      balance: fromMinor(BigInt(balance)),
    });
  };
  mark(-Math.round((distance * 0.35) / trade.centsPerTick));
  mark(-Math.round((distance * 0.75) / trade.centsPerTick));
  const breach = -Math.ceil((distance + overshoot) / trade.centsPerTick);
  mark(breach);
  t += 60_000;
  push({
    type: "trade_close",
    at: at(),
    tradeId: trade.tradeId,
    price: decimal(trade.entry + breach, trade.instrument.decimals),
    pnl: fromMinor(
      BigInt(breach * trade.centsPerTick - (trade.volume * trade.instrument.commissionPerLot) / 100),
    ),
  });
  return { events, balance: balance + breach * trade.centsPerTick };
}

/**
 * `count` trade P&Ls (cents) that add up to about `total`: wins and losses at a realistic rate around
 * `unit`, shifted together so the day ends where it should.
 */
export function tradePnls(random: Random, total: number, count: number, unit: number): number[] {
  const raw = Array.from(
    { length: count },
    () => random.chance(0.58) ? random.between(0.5, 1.5) * unit : -random.between(0.35, 1.0) * unit,
  );
  const shift = (total - raw.reduce((a, b) => a + b, 0)) / count;
  return raw.map((x) => Math.round(x + shift));
}

/** `ticks` with `places` decimals as a plain decimal string: 108512 → "1.08512" (5 places). */
export function decimal(ticks: number, places: number): string {
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new RangeError(`not a price in ticks: ${ticks}`);
  if (places === 0) return String(ticks);
  const digits = String(ticks).padStart(places + 1, "0");
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

function pickWeighted<T extends { weight: number }>(random: Random, items: readonly T[]): T {
  let r = random.next() * items.reduce((sum, item) => sum + item.weight, 0);
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1];
}
