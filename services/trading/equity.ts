/**
 * Equity history of an account (CONTRACTS.md B): samples written by the live path (sync batches and reset
 * rolls, in their transaction) and read back in time buckets for the chart.
 *
 * - At most one regular sample per account per second: the last one of the second wins, within a batch (kept
 *   here) and across batches (`on conflict … do update` on the partial unique key, only by a later instant).
 * - Every breach and pause gets a row of its own, so a marker never disappears into a bucket.
 * - A bucket's point is its **last** sample, so the line ends at the live value.
 */
import type postgres from "postgres";
import type { Sql, Tx } from "../../db/client.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { fromMinor, fromMinorOrNull } from "../money.ts";
import { isoAt } from "../time.ts";
import type { EquitySampleRow } from "../accounts/advance.ts";
import { findReadableAccount, type Reader } from "../accounts/access.ts";

/** Bucket widths in seconds, finest first (`auto` picks the finest giving ≤ `AUTO_MAX_POINTS`). */
export const RESOLUTIONS = { "1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86_400 } as const;
export type Resolution = keyof typeof RESOLUTIONS;
export const AUTO_MAX_POINTS = 1_000;
/** An explicit resolution over a range this many buckets wide is refused: pick a coarser one. */
export const MAX_POINTS = 10_000;

/** The samples of one change, ready to write: the last regular sample per second, and every breach row. */
export function samplesToWrite(samples: readonly EquitySampleRow[]): EquitySampleRow[] {
  const lastPerSecond = new Map<number, EquitySampleRow>();
  const breaches: EquitySampleRow[] = [];
  for (const s of samples) {
    if (s.breach) breaches.push(s);
    else lastPerSecond.set(Math.floor(s.at / 1000), s);
  }
  return [...lastPerSecond.values(), ...breaches];
}

/** The rows `writeEquitySamples` writes for `samples` (`samplesToWrite`), as the statement reads them. */
export function equitySampleRows(samples: readonly EquitySampleRow[]) {
  return samplesToWrite(samples).map((s) => ({
    at: isoAt(s.at),
    balance: fromMinor(s.balance),
    equity: fromMinor(s.equity),
    daily_floor: fromMinorOrNull(s.dailyFloor),
    max_floor: fromMinorOrNull(s.maxFloor),
    breach: s.breach,
  }));
}

/**
 * Writes the samples of one persisted change in the caller's transaction; returns the pending query (it may
 * be pipelined with the change's other writes), or null when there is nothing to write.
 */
export function writeEquitySamples(tx: Tx, accountId: string, samples: readonly EquitySampleRow[]) {
  const rows = equitySampleRows(samples);
  if (rows.length === 0) return null;
  const regular = rows.filter((r) => r.breach === null);
  const breaches = rows.filter((r) => r.breach !== null);
  const json = (v: unknown) => tx.json(v as postgres.JSONValue);
  // Written as two statements: only regular samples are keyed by the second (breach rows all stay).
  const insert = (list: typeof rows, onConflict: postgres.PendingQuery<postgres.Row[]>) =>
    tx`
      insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor, breach)
      select ${accountId}, s.at, date_trunc('second', s.at), s.balance, s.equity, s.daily_floor, s.max_floor,
             s.breach
      from jsonb_to_recordset(${json(list)})
        as s(at timestamptz, balance numeric, equity numeric, daily_floor numeric, max_floor numeric,
             breach text)
      ${onConflict}`;
  const writes: Promise<unknown>[] = [];
  if (regular.length > 0) {
    writes.push(insert(
      regular,
      tx`on conflict (account_id, second) where breach is null do update set
           at = excluded.at, balance = excluded.balance, equity = excluded.equity,
           daily_floor = excluded.daily_floor, max_floor = excluded.max_floor
         where excluded.at >= equity_samples.at`,
    ));
  }
  if (breaches.length > 0) writes.push(insert(breaches, tx``));
  return Promise.all(writes);
}

export interface EquityPoint {
  time: string;
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
}

export interface EquityHistory {
  accountId: string;
  currency: string;
  resolution: Resolution;
  points: EquityPoint[];
  breaches: { at: string; rule: string; equity: string }[];
  /** Money the firm moved (a payout's withdrawal, its reversal on rejection) and the balance right after. */
  withdrawals: EquityWithdrawal[];
}

/** A ledger event on the chart: never a loss or a profit, so it gets a marker of its own. */
export interface EquityWithdrawal {
  at: string;
  type: "withdrawal" | "withdrawal_reversal";
  amount: string;
  balance: string | null;
}

/**
 * The equity history of `account` between `from` and `to` (default: its whole life, up to now) at
 * `resolution` (`auto`: the finest giving at most `AUTO_MAX_POINTS` points).
 *
 * @throws Unprocessable when `from` is not before `to`, or an explicit resolution would give more than
 *   `MAX_POINTS` points.
 */
export async function loadEquityHistory(
  sql: Sql,
  account: { id: string; currency: string; createdAt: Date },
  opts: { from?: Date; to?: Date; resolution?: Resolution | "auto"; now?: Date } = {},
): Promise<EquityHistory> {
  const from = opts.from ?? account.createdAt;
  const to = opts.to ?? opts.now ?? new Date();
  if (+from >= +to) throw new Unprocessable("from", "must be before `to`");
  const spanSeconds = (+to - +from) / 1000;
  const resolution = pickResolution(spanSeconds, opts.resolution ?? "auto");
  const width = RESOLUTIONS[resolution];
  if (spanSeconds / width > MAX_POINTS) {
    throw new Unprocessable(
      "resolution",
      `gives more than ${MAX_POINTS} points over this range; pick a coarser one`,
    );
  }
  // Buckets are aligned to the epoch (UTC): a day bucket is a UTC day.
  const [points, breaches, withdrawals] = await Promise.all([
    sql<
      { time: Date; balance: string; equity: string; daily_floor: string | null; max_floor: string | null }[]
    >`
      select distinct on (bucket) bucket as time, balance::text, equity::text, daily_floor::text,
             max_floor::text
      from (
        select to_timestamp(floor(extract(epoch from at) / ${width}) * ${width}) as bucket, at, balance,
               equity, daily_floor, max_floor, breach
        from equity_samples
        where account_id = ${account.id} and at >= ${from} and at < ${to}
      ) s
      order by bucket, at desc, (breach is null) desc`,
    sql<{ at: Date; rule: string; equity: string }[]>`
      select at, breach as rule, equity::text from equity_samples
      where account_id = ${account.id} and breach is not null and at >= ${from} and at < ${to}
      order by at`,
    // The balance right after the event is its change's summary (a change per ledger event, same version):
    // samples keep one row per second, so a withdrawal and a reversal in the same second would share one.
    sql<{ at: Date; type: EquityWithdrawal["type"]; amount: string; balance: string | null }[]>`
      select e.at, e.type, (e.payload ->> 'amount')::numeric(15, 2)::text as amount,
             (c.payload -> 'account' ->> 'balance')::numeric(15, 2)::text as balance
      from account_events e
      left join account_changes c on c.account_id = e.account_id and c.state_version = e.state_version
      where e.account_id = ${account.id} and e.type in ('withdrawal', 'withdrawal_reversal')
        and e.at >= ${from} and e.at < ${to}
      order by e.at, e.state_version`,
  ]);
  return {
    accountId: account.id,
    currency: account.currency,
    resolution,
    points: points.map((p) => ({
      time: p.time.toISOString(),
      balance: p.balance,
      equity: p.equity,
      dailyFloor: p.daily_floor,
      maxFloor: p.max_floor,
    })),
    breaches: breaches.map((b) => ({ at: b.at.toISOString(), rule: b.rule, equity: b.equity })),
    withdrawals: withdrawals.map((w) => ({
      at: w.at.toISOString(),
      type: w.type,
      amount: w.amount,
      balance: w.balance,
    })),
  };
}

/** `auto` → the finest resolution giving at most `AUTO_MAX_POINTS` buckets over `spanSeconds`. */
export function pickResolution(spanSeconds: number, requested: Resolution | "auto"): Resolution {
  if (requested !== "auto") return requested;
  for (const [name, width] of Object.entries(RESOLUTIONS) as [Resolution, number][]) {
    if (spanSeconds / width <= AUTO_MAX_POINTS) return name;
  }
  return "1d";
}

/** `loadEquityHistory` of an account `user` may read (404 otherwise, audited as in access.ts). */
export async function readableEquityHistory(
  sql: Sql,
  user: Reader,
  accountId: string,
  opts: { from?: Date; to?: Date; resolution?: Resolution | "auto" } = {},
): Promise<EquityHistory> {
  const account = await findReadableAccount(sql, user, accountId);
  // The account's life starts at its first sample (an account opened at a past instant) or its creation.
  const [{ since }] = await sql<{ since: Date }[]>`
    select least(created_at, (select min(at) from equity_samples where account_id = ${account.id})) as since
    from accounts where id = ${account.id}`;
  return await loadEquityHistory(sql, { ...account, createdAt: since }, opts);
}
