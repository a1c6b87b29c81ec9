/**
 * The sync path's memory of the accounts this process wrote last (issue 15, "Ingest efficiency"): after a
 * two-statement write (sync_fast.ts) the account row, its new row version (`xmin`) and its engine state are
 * known without reading them back. The next batch of that account starts from them and sends its write at
 * once, without the read — the write's compare-and-set on the row version proves that nothing changed the
 * account in between (every writer of an account updates its row), and the same statement checks what the read
 * would have: that none of the batch's ids was applied before and that the account has no self-lock settings.
 * A write that finds otherwise writes nothing, and the batch takes the read as before: the cache only ever
 * saves a statement, it never decides an outcome.
 *
 * Only for the pool, never inside a transaction (a caller's `db` bound to one, as the demo seed's is): there,
 * every update of the row leaves the transaction's own `xmin`, so an unchanged row version would not prove
 * that nothing else wrote the account since (db/client.ts `isTransaction`).
 *
 * Per database handle and per process; bounded (the least recently written accounts are dropped first), and
 * an entry serves for `MAX_AGE_MS` only: a row version is a 32-bit transaction id, so an entry kept for ever
 * could in theory meet the same number on another version of the row after a wraparound — ten minutes are
 * billions of transactions short of one.
 */
import { isTransaction, type Sql } from "../../db/client.ts";
import type { AccountState } from "../engine/state.ts";
import type { LockedAccount } from "./persist.ts";
import type { TradePlatform } from "./trade_platform.ts";

/** An account as this process last wrote it. */
export interface CachedAccount {
  /** The row as written; `engine_state` is not kept here (`state` is the engine state, parsed). */
  account: LockedAccount;
  /** The row version (`xmin`) the write left. */
  rowVersion: string;
  state: AccountState;
  /** The platform the account stores (the two-statement write never changes it). */
  platform: TradePlatform | null;
}

/** An entry with when it was written (performance.now()). */
type Stored = CachedAccount & { at: number };

/** How long an entry serves (see the module notes). */
const MAX_AGE_MS = 10 * 60_000;

/** Accounts remembered per database handle: a few MB at most. */
const MAX_ACCOUNTS = 20_000;

const caches = new WeakMap<Sql, Map<string, Stored>>();

/** The account as this process last wrote it, if it is remembered. */
export function cachedAccount(sql: Sql, accountId: string): CachedAccount | undefined {
  if (isTransaction(sql)) return undefined;
  const entry = caches.get(sql)?.get(accountId);
  return entry && performance.now() - entry.at < MAX_AGE_MS ? entry : undefined;
}

/** Remembers an account this process has just written (replacing what was remembered of it). */
export function rememberAccount(sql: Sql, entry: CachedAccount): void {
  if (isTransaction(sql)) return;
  let cache = caches.get(sql);
  if (!cache) caches.set(sql, cache = new Map());
  // Re-inserted at the end, so the first key is always the least recently written.
  cache.delete(entry.account.id);
  cache.set(entry.account.id, { ...entry, at: performance.now() });
  if (cache.size > MAX_ACCOUNTS) cache.delete(cache.keys().next().value!);
}

/** Forgets an account (its remembered row turned out to be stale). */
export function forgetAccount(sql: Sql, accountId: string): void {
  caches.get(sql)?.delete(accountId);
}
