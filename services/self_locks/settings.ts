/**
 * Self-lock settings (DESIGN §3.5) and the one rule about changing them: **tightening applies at once,
 * loosening waits for the next daily reset**. Pure values; the store (store.ts) persists them.
 *
 * Each field is compared on its own, on the axis that makes trading harder:
 * - `dailyLossLimit` (money, account currency), `maxTradesPerDay`, `cooldownLosses`: lower is tighter, off
 *   (null) is the loosest;
 * - `cooldownMinutes`: longer is tighter, off (null) is the loosest.
 * The cooldown is a pair (N losses, M minutes), both set or both off. Removing it loosens both halves, so both
 * wait; changing it may tighten one half at once and defer the other (e.g. 3→2 losses now, 60→30 minutes at
 * the reset) — every combination in between is a valid pair, never a half-set one.
 */
import { toMinor } from "../money.ts";

/** The limits in force (null = that lock is off). */
export interface SelfLockSettings {
  /** Money in the account's currency, a decimal string with 2 places. */
  dailyLossLimit: string | null;
  maxTradesPerDay: number | null;
  cooldownLosses: number | null;
  cooldownMinutes: number | null;
}

/** Requested loosenings waiting for the reset: a key present is a pending change (null = remove that lock). */
export type PendingSettings = Partial<SelfLockSettings>;

export const NO_SELF_LOCKS: SelfLockSettings = Object.freeze({
  dailyLossLimit: null,
  maxTradesPerDay: null,
  cooldownLosses: null,
  cooldownMinutes: null,
});

export const SETTING_KEYS = [
  "dailyLossLimit",
  "maxTradesPerDay",
  "cooldownLosses",
  "cooldownMinutes",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The stored settings and their pending loosening, if any. */
export interface StoredSelfLocks {
  settings: SelfLockSettings;
  pending: PendingSettings | null;
  /** The reset at which `pending` applies (epoch ms), or null. */
  pendingAt: number | null;
}

/** A number that orders a field's values from loosest (smallest) to tightest. */
function tightness(key: SettingKey, value: string | number | null): bigint {
  const LOOSEST = -(1n << 62n);
  if (value === null) return LOOSEST;
  if (key === "cooldownMinutes") return BigInt(value);
  return -(key === "dailyLossLimit" ? toMinor(String(value)) : BigInt(value));
}

/** The settings in force at `now`: the stored ones, with the pending loosening folded in once its reset came. */
export function effectiveAt(stored: StoredSelfLocks, now: Date): StoredSelfLocks {
  if (!stored.pending || stored.pendingAt === null || +now < stored.pendingAt) return stored;
  return { settings: { ...stored.settings, ...stored.pending }, pending: null, pendingAt: null };
}

/**
 * Applies a request for new settings to the settings in force at `now` (fold due pending changes first with
 * `effectiveAt`): each tighter field applies at once (and cancels that field's pending change), each looser
 * one becomes pending until `nextReset`, an unchanged one cancels its pending change.
 */
export function planChange(
  current: StoredSelfLocks,
  requested: SelfLockSettings,
  nextReset: number,
): StoredSelfLocks {
  const settings: SelfLockSettings = { ...current.settings };
  const pending: PendingSettings = { ...(current.pending ?? {}) };
  for (const key of SETTING_KEYS) {
    const want = requested[key];
    const have = settings[key];
    const cmp = tightness(key, want) - tightness(key, have);
    if (cmp > 0n) {
      // deno-lint-ignore no-explicit-any
      (settings as any)[key] = want;
      delete pending[key];
    } else if (cmp === 0n) {
      delete pending[key];
    } else {
      // deno-lint-ignore no-explicit-any
      (pending as any)[key] = want;
    }
  }
  const any = Object.keys(pending).length > 0;
  return { settings, pending: any ? pending : null, pendingAt: any ? nextReset : null };
}

/** Whether any lock is set. */
export function hasAnyLock(settings: SelfLockSettings): boolean {
  return SETTING_KEYS.some((k) => settings[k] !== null);
}
