/**
 * How long prices are kept: ticks 24 hours (charts of the day, the price trail around a breach — the breach
 * evidence itself carries its tick), 1-minute bars 90 days (charts). Pruned hourly by every serving process
 * (deleting what another already deleted is a no-op), one symbol at a time so each delete walks the primary key.
 */
import type { Db } from "../../db/client.ts";
import { startPeriodic } from "../periodic.ts";

export const TICK_RETENTION_MS = 24 * 3600_000;
export const BAR_RETENTION_MS = 90 * 24 * 3600_000;

/** Deletes ticks and bars older than their retention at `now`; returns how many rows went. */
export async function prunePrices(db: Pick<Db, "sql">, now: Date): Promise<{ ticks: number; bars: number }> {
  const sql = db.sql;
  const tickCutoff = new Date(now.getTime() - TICK_RETENTION_MS);
  const barCutoff = new Date(now.getTime() - BAR_RETENTION_MS);
  const symbols = await sql<{ symbol: string }[]>`select symbol from venue_instruments order by symbol`;
  let ticks = 0;
  let bars = 0;
  for (const { symbol } of symbols) {
    ticks += (await sql`delete from venue_ticks where symbol = ${symbol} and at < ${tickCutoff}`).count;
    bars += (await sql`delete from venue_bars where symbol = ${symbol} and minute < ${barCutoff}`).count;
  }
  return { ticks, bars };
}

/** Prunes now and then hourly until the returned stop is called. */
export function startPriceRetention(
  db: Pick<Db, "sql">,
  opts: { log: (message: string, error?: unknown) => void; intervalMs?: number },
): () => Promise<void> {
  return startPeriodic(() => prunePrices(db, new Date()), {
    intervalMs: opts.intervalMs ?? 3600_000,
    log: opts.log,
    failure: "pruning old prices failed",
  });
}
