/**
 * The JSON form of an account's self-locks (GET/PUT /api/accounts/:id/locks): money as decimal strings,
 * instants as ISO-8601 UTC.
 */
import { isoAt } from "../time.ts";
import type { SelfLockSettings } from "./settings.ts";
import type { LockKind, SelfLockStatus } from "./status.ts";
import { permissionOf, type TradingPermission } from "../venue/locks.ts";

export interface SelfLocksJson {
  accountId: string;
  currency: string;
  /** The limits in force now (null = off). */
  settings: SelfLockSettings;
  /** Loosening requested and waiting for the next reset: the new values and when they apply. */
  pending: { values: Partial<SelfLockSettings>; appliesAt: string } | null;
  tradingDay: { key: string; opensAt: string; closesAt: string; timeZone: string; resetTime: string };
  usage: { worstLossToday: string; tradesToday: number; losingStreak: number };
  /** Every lock that holds now and when it lifts. */
  locks: { kind: LockKind; reason: string; until: string }[];
  trading: TradingPermission;
}

export function selfLocksJson(status: SelfLockStatus): SelfLocksJson {
  const { stored, day, held } = status;
  const locks = held.map((h) => ({ kind: h.kind, reason: h.reason, until: isoAt(h.until) }));
  return {
    accountId: status.accountId,
    currency: status.currency,
    settings: stored.settings,
    pending: stored.pending && stored.pendingAt !== null
      ? { values: stored.pending, appliesAt: isoAt(stored.pendingAt) }
      : null,
    tradingDay: {
      key: day.key,
      opensAt: isoAt(day.opensAt),
      closesAt: isoAt(day.closesAt),
      timeZone: status.reset.timeZone,
      resetTime: status.reset.time,
    },
    usage: {
      worstLossToday: status.worstLossToday,
      tradesToday: status.tradesToday,
      losingStreak: status.losingStreak,
    },
    locks,
    trading: permissionOf(held),
  };
}
