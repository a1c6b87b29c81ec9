/**
 * The venue's question before it accepts an order (and demo-sync's before it answers): may this account open a
 * trade now, as far as the trader's own self-locks go (DESIGN §3.5; services/self_locks/status.ts has the
 * semantics). Engine blocks (pause, failed, passed) are not this function's: callers check the status first.
 */
import type { Sql } from "../../db/client.ts";
import { isoAt } from "../time.ts";
import { type HeldLock, selfLockStatus, storedSelfLocks } from "../self_locks/status.ts";
import { effectiveAt, hasAnyLock } from "../self_locks/settings.ts";

export interface TradingPermission {
  allowed: boolean;
  code: "self_locked" | null;
  /** Every lock that holds, in words (null when allowed). */
  reason: string | null;
  /** ISO-8601 UTC instant at which every holding lock has lifted (null when allowed). */
  until: string | null;
}

/** The permission the holding locks give: refused until the last of them lifts. */
export function permissionOf(held: readonly HeldLock[]): TradingPermission {
  if (held.length === 0) return { allowed: true, code: null, reason: null, until: null };
  return {
    allowed: false,
    code: "self_locked",
    reason: held.map((h) => h.reason).join(" "),
    until: isoAt(Math.max(...held.map((h) => h.until))),
  };
}

/**
 * Whether the account's self-locks let it open a trade at `now`. An unknown account is allowed here (the
 * caller has already resolved and scoped it).
 */
export async function tradingPermission(sql: Sql, accountId: string, now: Date): Promise<TradingPermission> {
  // Most accounts set no lock: one primary-key read answers them.
  if (!hasAnyLock(effectiveAt(await storedSelfLocks(sql, accountId), now).settings)) return permissionOf([]);
  const status = await selfLockStatus(sql, accountId, now);
  return permissionOf(status?.held ?? []);
}
