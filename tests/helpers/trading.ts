/**
 * A few trading days of an account fed through the real live path (applySync: engine, trades, daily stats,
 * equity samples), for the history and statistics pages and their screenshots.
 */
import type { Deps } from "../../services/deps.ts";
import type { SyncEvent } from "../../services/engine/sync_events.ts";
import { applySync } from "../../services/accounts/sync.ts";

const SYMBOLS = ["EURUSD", "XAUUSD", "US500", "GBPUSD"] as const;

/** Deterministic P&L in cents for trade `i` (wins and losses, a breakeven now and then). */
function pnlOf(i: number): string {
  const cents = [12_450, -6_020, 31_000, 0, -14_375, 8_810, -2_500, 22_040][i % 8] + (i % 3) * 1_00;
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/**
 * `days` weekdays from `start` (UTC), `perDay` round trips each between 08:00 and 16:00 UTC, with a mark-to-market
 * equity sample inside every trade; the last trade of the last day stays open. Returns the trade ids.
 */
export async function seedTradingDays(
  deps: Pick<Deps, "db" | "bus">,
  accountId: string,
  opts: { start: Date; days: number; perDay?: number; now?: Date },
): Promise<string[]> {
  const perDay = opts.perDay ?? 3;
  const ids: string[] = [];
  let balance = 10_000_000n; // cents of a $100,000 account; only used to write plausible marks
  // Weekdays only, as on a forex venue: `days` trading days from `start`, skipping Saturdays and Sundays.
  const offsets: number[] = [];
  for (let i = 0; offsets.length < opts.days; i++) {
    const weekday = new Date(+opts.start + i * 86_400_000).getUTCDay();
    if (weekday !== 0 && weekday !== 6) offsets.push(i);
  }
  for (let d = 0; d < opts.days; d++) {
    const events: SyncEvent[] = [];
    for (let k = 0; k < perDay; k++) {
      const i = d * perDay + k;
      const tradeId = `T-${1000 + i}`;
      ids.push(tradeId);
      const open = +opts.start + offsets[d] * 86_400_000 + 8 * 3_600_000 + k * 2.5 * 3_600_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      const pnl = pnlOf(i);
      const cents = BigInt(pnl.replace(".", ""));
      const symbol = SYMBOLS[i % SYMBOLS.length];
      events.push({
        id: `${tradeId}-o`,
        type: "trade_open",
        at: iso(open),
        tradeId,
        symbol,
        direction: i % 3 === 1 ? "sell" : "buy",
        volume: "1.00",
        price: symbol === "XAUUSD" ? "2350.50" : symbol === "US500" ? "5400.25" : "1.08000",
      });
      // Halfway, the position floats at -60 % of its final loss or +150 % of its gain.
      const swing = cents < 0n ? (cents * 6n) / 10n : (cents * 3n) / 2n;
      const money = (c: bigint) =>
        `${c < 0n ? "-" : ""}${(c < 0n ? -c : c) / 100n}.${
          String((c < 0n ? -c : c) % 100n).padStart(2, "0")
        }`;
      events.push({
        id: `${tradeId}-m`,
        type: "equity",
        at: iso(open + 30 * 60_000),
        equity: money(balance + swing),
        balance: money(balance),
      });
      if (d === opts.days - 1 && k === perDay - 1) continue; // still open
      events.push({
        id: `${tradeId}-c`,
        type: "trade_close",
        at: iso(open + 75 * 60_000),
        tradeId,
        price: symbol === "XAUUSD" ? "2352.10" : symbol === "US500" ? "5401.00" : "1.08100",
        pnl,
      });
      balance += cents;
    }
    await applySync(
      deps,
      accountId,
      events,
      opts.now ?? new Date(+opts.start + (offsets.at(-1)! + 2) * 86_400_000),
    );
  }
  return ids;
}
