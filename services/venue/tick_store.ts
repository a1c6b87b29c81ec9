/**
 * Ticks, 1-minute bars and last quotes in PostgreSQL. Written a batch at a time (one statement per table per
 * batch, arrays unnested server-side), never a row at a time: the leader flushes about once a second. Bars are of
 * the bid, as trading platforms chart them.
 */
import type { Sql } from "../../db/client.ts";
import { aggregateBars, type Bar } from "./bars.ts";
import { trimDecimal } from "./instruments.ts";
import type { Tick } from "./price_book.ts";

export type { Bar };

/**
 * Stores a batch: the ticks not stored before (a replayed batch is a no-op), the bars they fold into and each
 * symbol's last quote. Run it in a transaction (`db.tx`) so bars never count ticks that were rolled back.
 *
 * @returns the ticks that were new, in the batch's order.
 */
export async function storeTicks(tx: Sql, batch: readonly Tick[]): Promise<Tick[]> {
  // A symbol's instant twice in one batch is one tick (the first).
  const seen = new Set<string>();
  const ticks = batch.filter((t) => !seen.has(`${t.symbol}|${t.at}`) && seen.add(`${t.symbol}|${t.at}`));
  if (!ticks.length) return [];
  const inserted = await tx<{ symbol: string; at: Date }[]>`
    insert into venue_ticks (symbol, at, bid, ask)
    select * from unnest(
      ${ticks.map((t) => t.symbol)}::text[], ${ticks.map((t) => new Date(t.at).toISOString())}::timestamptz[],
      ${ticks.map((t) => t.bid)}::numeric[], ${ticks.map((t) => t.ask)}::numeric[])
    on conflict do nothing
    returning symbol, at`;
  const fresh = new Set(inserted.map((r) => `${r.symbol}|${r.at.getTime()}`));
  const taken = ticks.filter((t) => fresh.has(`${t.symbol}|${t.at}`));
  if (!taken.length) return [];
  const bars = aggregateBars(taken);
  await tx`
    insert into venue_bars as b (symbol, minute, open, high, low, close, ticks, first_at, last_at)
    select * from unnest(
      ${bars.map((b) => b.symbol)}::text[], ${
    bars.map((b) => new Date(b.time * 1000).toISOString())
  }::timestamptz[],
      ${bars.map((b) => b.open)}::numeric[], ${bars.map((b) => b.high)}::numeric[],
      ${bars.map((b) => b.low)}::numeric[], ${bars.map((b) => b.close)}::numeric[],
      ${bars.map((b) => b.ticks)}::int[], ${
    bars.map((b) => new Date(b.firstAt).toISOString())
  }::timestamptz[],
      ${bars.map((b) => new Date(b.lastAt).toISOString())}::timestamptz[])
    on conflict (symbol, minute) do update set
      open = case when excluded.first_at < b.first_at then excluded.open else b.open end,
      first_at = least(b.first_at, excluded.first_at),
      high = greatest(b.high, excluded.high),
      low = least(b.low, excluded.low),
      close = case when excluded.last_at >= b.last_at then excluded.close else b.close end,
      last_at = greatest(b.last_at, excluded.last_at),
      ticks = b.ticks + excluded.ticks`;
  const last = new Map<string, Tick>();
  for (const t of taken) if ((last.get(t.symbol)?.at ?? -Infinity) <= t.at) last.set(t.symbol, t);
  const quotes = [...last.values()];
  await tx`
    insert into venue_quotes as q (symbol, bid, ask, at)
    select * from unnest(
      ${quotes.map((t) => t.symbol)}::text[], ${quotes.map((t) => t.bid)}::numeric[],
      ${quotes.map((t) => t.ask)}::numeric[], ${
    quotes.map((t) => new Date(t.at).toISOString())
  }::timestamptz[])
    on conflict (symbol) do update set bid = excluded.bid, ask = excluded.ask, at = excluded.at
    where excluded.at >= q.at`;
  return taken;
}

/** The last stored quote of every symbol (what a starting process primes its PriceBook with). */
export async function storedQuotes(sql: Sql): Promise<Tick[]> {
  const rows = await sql<{ symbol: string; bid: string; ask: string; at: Date }[]>`
    select symbol, bid, ask, at from venue_quotes order by symbol`;
  return rows.map((r) => ({
    symbol: r.symbol,
    bid: trimDecimal(r.bid),
    ask: trimDecimal(r.ask),
    at: r.at.getTime(),
  }));
}

/** Stored 1-minute bars of `symbol` with `from` ≤ time ≤ `to` (epoch s), the latest `limit` of them, oldest first. */
export async function storedBars(
  sql: Sql,
  q: { symbol: string; from: number; to: number; limit: number },
): Promise<Bar[]> {
  const rows = await sql<{ time: string; open: string; high: string; low: string; close: string }[]>`
    select * from (
      select extract(epoch from minute)::bigint::text as time, open, high, low, close from venue_bars
      where symbol = ${q.symbol}
        and minute between to_timestamp(${q.from}) and to_timestamp(${q.to})
      order by minute desc limit ${q.limit}
    ) latest order by time::bigint`;
  return rows.map((r) => ({
    time: Number(r.time),
    open: trimDecimal(r.open),
    high: trimDecimal(r.high),
    low: trimDecimal(r.low),
    close: trimDecimal(r.close),
  }));
}

/** Stored ticks of `symbol` in [from, to] (epoch ms), oldest first — breach evidence and tests. */
export async function storedTicks(
  sql: Sql,
  q: { symbol: string; from: number; to: number },
): Promise<Tick[]> {
  const rows = await sql<{ symbol: string; bid: string; ask: string; at: Date }[]>`
    select symbol, bid, ask, at from venue_ticks
    where symbol = ${q.symbol} and at between ${new Date(q.from)} and ${new Date(q.to)}
    order by at`;
  return rows.map((r) => ({
    symbol: r.symbol,
    bid: trimDecimal(r.bid),
    ask: trimDecimal(r.ask),
    at: r.at.getTime(),
  }));
}
