import type { ComponentChildren } from "preact";

const TONES = {
  good: "border-brand-strong/50 text-brand-strong",
  neutral: "border-line text-muted",
  bad: "border-red-700/60 text-red-700 dark:border-red-400/60 dark:text-red-300",
} as const;

/**
 * A short status word in a pill. The word carries the meaning, the colour only repeats it (never colour
 * alone), and each tone keeps text contrast above 4.5:1 on both the surface and raised backgrounds.
 */
export function StatusBadge(props: { tone: keyof typeof TONES; children: ComponentChildren }) {
  return (
    <span
      class={`inline-flex items-center rounded-full border px-2.5 py-0.5 text-xs font-semibold ${
        TONES[props.tone]
      }`}
    >
      {props.children}
    </span>
  );
}

/**
 * Account statuses as traders read them, with their tone. `paused` has two causes that end differently (see
 * `accountStatusBadge`), so its plain word promises no end.
 */
export const ACCOUNT_STATUS: Record<string, { label: string; tone: keyof typeof TONES }> = {
  pending: { label: "Pending", tone: "neutral" },
  active: { label: "Active", tone: "good" },
  paused: { label: "Paused", tone: "bad" },
  passed: { label: "Passed", tone: "good" },
  failed: { label: "Failed", tone: "bad" },
  pending_kyc: { label: "Awaiting identity check", tone: "neutral" },
  closed: { label: "Closed", tone: "neutral" },
};

/**
 * Whether an account's evaluation is over (passed, failed or closed): its figures are final, no longer
 * judged live, and its day is the one it ended on.
 */
export function isEnded(status: string): boolean {
  return status === "failed" || status === "passed" || status === "closed";
}

/**
 * An account's badge where the cause of a pause is known: the daily-loss pause ends at the next reset (the
 * engine sets its `pausedUntil`), a pause by staff has none and lasts until staff reinstate the account.
 * `staffPause` undefined (not known here) gives the plain word.
 */
export function accountStatusBadge(
  status: string,
  staffPause?: boolean,
): { label: string; tone: keyof typeof TONES } {
  if (status === "paused" && staffPause !== undefined) {
    return { label: staffPause ? "Paused by staff" : "Paused until the next reset", tone: "bad" };
  }
  return ACCOUNT_STATUS[status] ?? { label: status, tone: "neutral" };
}

/**
 * Whether a paused account was paused by staff: no objective names an end (a daily-loss pause always has
 * one; an account whose plan has no daily loss rule can only be paused by staff).
 */
export function isStaffPause(status: string, objectives: readonly object[]): boolean {
  return status === "paused" && !objectives.some((o) => "pausedUntil" in o && o.pausedUntil);
}

/** Payout statuses as traders read them (their payouts page and the account page's panel), with their tone. */
export const PAYOUT_STATUS: Record<
  "pending" | "approved" | "paid" | "rejected",
  { label: string; tone: keyof typeof TONES }
> = {
  pending: { label: "Pending review", tone: "neutral" },
  approved: { label: "Approved", tone: "good" },
  paid: { label: "Paid", tone: "good" },
  rejected: { label: "Rejected", tone: "bad" },
};
