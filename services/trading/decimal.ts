/**
 * Exact decimal strings from integer ratios, for the statistics: ratios rounded half away from zero on
 * bigints (no float in between), money divided to the cent, and the one float figure family (Sharpe/Sortino)
 * written with 4 places.
 */
import { fromMinor } from "../money.ts";

/** `num / den` rounded half away from zero to `places` decimals, as a decimal string (null when den = 0). */
export function ratio(num: bigint, den: bigint, places: number): string | null {
  if (den === 0n) return null;
  const negative = (num < 0n) !== (den < 0n) && num !== 0n;
  const a = num < 0n ? -num : num, b = den < 0n ? -den : den;
  const scale = 10n ** BigInt(places);
  const q = (a * scale * 2n + b) / (2n * b);
  if (q === 0n) return (0).toFixed(places);
  const s = q.toString().padStart(places + 1, "0");
  return `${negative ? "-" : ""}${s.slice(0, -places)}.${s.slice(-places)}`;
}

/** A ratio with 4 places (DESIGN §3.1). */
export function ratio4(num: bigint, den: bigint): string | null {
  return ratio(num, den, 4);
}

/** Cents ÷ a count, to the cent (half away from zero); null for a count of 0. */
export function divMoney(cents: bigint, count: number): string | null {
  if (count === 0) return null;
  const a = cents < 0n ? -cents : cents, b = BigInt(count);
  const q = (a * 2n + b) / (2n * b);
  return fromMinor(cents < 0n ? -q : q);
}

/** A float ratio (Sharpe, Sortino) with 4 places, half away from zero, never "-0.0000"; null if not finite. */
export function fixed4(x: number): string | null {
  if (!Number.isFinite(x)) return null;
  const q = Math.round(Math.abs(x) * 1e4);
  return q === 0 ? "0.0000" : `${x < 0 ? "-" : ""}${(q / 1e4).toFixed(4)}`;
}
