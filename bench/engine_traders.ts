/**
 * The simulated traders of the engine benchmark (bench/engine.ts): what each account's connector sends.
 *
 * Each account runs a small trader simulation — a position opened now and then, equity marks that
 * random-walk with a pull back to the initial balance, closes realizing the floating P&L minus costs — on an
 * FTMO-style 100K plan, so accounts stay active; a designated few get one equity mark far below the daily
 * floor once. Event times are the real clock, strictly increasing per account.
 */
import { fromMinor } from "../services/money.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";

const B0 = 100_000_00; // cents: the plan's initial balance
const SYMBOLS = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US30", "NAS100"];

// Amounts are whole cents held as numbers (the walk scales by fractions, which bigint cannot); the round
// only keeps BigInt from throwing should a fraction ever slip through.
const money = (cents: number): string => fromMinor(BigInt(Math.round(cents)));

/** One account's trader: generates its next events in the DESIGN §4 wire format. */
export class AccountSim {
  seq = 0;
  /** The `at` of the last event generated (ms): the next is never earlier. */
  last = 0;
  balance = B0;
  floating = 0;
  open: string | null = null;
  /** A batch for this account is in flight (the load runner never sends two at once). */
  busy = false;
  breachAt: number | null = null;
  breached = false;

  constructor(
    /** Position in the account list: the first `--subscribers` accounts have an SSE stream. */
    readonly index: number,
    readonly id: string,
    /** Prefix of this account's event ids, unique per run so no event is ever deduplicated. */
    readonly nonce: string,
    /** Designated to breach once, this long after its first batch. */
    readonly breachAfterMs: number | null,
  ) {}

  /** The next `n` events, timed from `now` (epoch ms) on, never before the previous batch's last. */
  events(n: number, now: number): SyncEvent[] {
    if (this.breachAfterMs !== null && this.breachAt === null) this.breachAt = now + this.breachAfterMs;
    const base = Math.max(now, this.last + 1);
    const out: SyncEvent[] = [];
    for (let i = 0; i < n; i++) out.push(this.#step(new Date(base + i).toISOString(), now));
    this.last = base + n - 1;
    return out;
  }

  #step(at: string, now: number): SyncEvent {
    const id = `${this.nonce}-${++this.seq}`;
    if (this.breachAt !== null && !this.breached && now >= this.breachAt) {
      this.breached = true;
      // 8,000 under the balance: below the daily floor (5 % of B0 under the start-of-day balance).
      return { id, type: "equity", at, equity: money(this.balance - 8_000_00), balance: money(this.balance) };
    }
    const r = Math.random();
    if (this.open === null && r < 0.25) {
      this.open = `T${this.seq}`;
      this.floating = 0;
      return {
        id,
        type: "trade_open",
        at,
        tradeId: this.open,
        symbol: SYMBOLS[this.seq % SYMBOLS.length],
        direction: r < 0.125 ? "buy" : "sell",
        volume: (0.1 + Math.floor(Math.random() * 20) / 10).toFixed(2),
        price: (1.05 + Math.random() / 10).toFixed(5),
      };
    }
    if (this.open !== null && r < 0.2) {
      const pnl = this.floating - 7_00; // commission and spread
      const tradeId = this.open;
      this.balance += pnl;
      this.floating = 0;
      this.open = null;
      return {
        id,
        type: "trade_close",
        at,
        tradeId,
        price: (1.05 + Math.random() / 10).toFixed(5),
        pnl: money(pnl),
      };
    }
    if (this.open !== null) {
      // A random walk of ±150 a mark, pulled back toward the initial balance: no breach by drift.
      const pull = (B0 - (this.balance + this.floating)) * 0.02;
      this.floating = Math.max(
        -2_500_00,
        Math.min(2_500_00, this.floating + (Math.random() - 0.5) * 300_00 + pull),
      );
      this.floating = Math.round(this.floating);
    }
    return {
      id,
      type: "equity",
      at,
      equity: money(this.balance + this.floating),
      balance: money(this.balance),
    };
  }
}

/**
 * One trader per account id, in order. Every `1 / breach`-th account is designated to breach once, at a
 * random moment within the first `seconds` of its load, so breaches land inside a measurement.
 */
export function makeSims(ids: string[], seconds: number, breach: number): AccountSim[] {
  const nonce = crypto.randomUUID().slice(0, 8);
  const every = breach > 0 ? Math.max(1, Math.round(1 / breach)) : 0;
  return ids.map((id, i) =>
    new AccountSim(
      i,
      id,
      `${nonce}${i}`,
      every && i % every === every - 1 ? Math.random() * seconds * 1000 : null,
    )
  );
}
