/**
 * The venue's question before it accepts an order (and demo-sync's before it answers): may this account open a
 * trade now, as far as the trader's own self-locks go (DESIGN §3.5; services/self_locks/status.ts has the
 * semantics). Engine blocks (pause, failed, passed) are not this function's: callers check the status first.
 */
import type { Sql } from "../../db/client.ts";
import { isoAt } from "../time.ts";
import { selfLockStatus } from "../self_locks/status.ts";

export interface TradingPermission {
  allowed: boolean;
  code: "self_locked" | null;
  /** Every lock that holds, in words (null when allowed). */
  reason: string | null;
  /** ISO-8601 UTC instant at which every holding lock has lifted (null when allowed). */
  until: string | null;
}

const ALLOWED: TradingPermission = Object.freeze({ allowed: true, code: null, reason: null, until: null });

/**
 * Whether the account's self-locks let it open a trade at `now`. An unknown account is allowed here (the
 * caller has already resolved and scoped it).
 */
export async function tradingPermission(sql: Sql, accountId: string, now: Date): Promise<TradingPermission> {
  const status = await selfLockStatus(sql, accountId, now);
  if (!status || status.held.length === 0) return { ...ALLOWED };
  return {
    allowed: false,
    code: "self_locked",
    reason: status.held.map((h) => h.reason).join(" "),
    until: isoAt(Math.max(...status.held.map((h) => h.until))),
  };
}
