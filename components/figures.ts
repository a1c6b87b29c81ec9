/**
 * Figures as the dashboard writes them (LOOK.md "numbers first"): money with its currency and, where it is a
 * result, always a sign (+$1,240.50 / −$310.00); durations for countdowns and freshness. Browser-safe: the
 * live islands and the server pages share it, on top of the one money and time formatter.
 */
import { formatMoney, percent, toMinor } from "../services/money_format.ts";

export { formatMoney, percent };
export { formatDateTime } from "../services/time_format.ts";

/** A result with its sign always shown: "+$1,240.50", "−$310", "$0". The minus is U+2212. */
export function signedMoney(amount: string, currency: string): string {
  const minor = toMinor(amount);
  if (minor === 0n) return formatMoney(amount, currency);
  const abs = minor < 0n ? amount.slice(1) : amount;
  return `${minor < 0n ? "\u2212" : "+"}${formatMoney(abs, currency)}`;
}

/** A duration for a countdown: "3 h 05 min", "12 min 40 s", "40 s" (never negative). */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return `${m} min ${pad(s % 60)} s`;
  return `${s % 60} s`;
}

/** How long ago, coarse: "just now", "2 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
