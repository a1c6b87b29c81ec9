import { StatusBadge } from "./status_badge.tsx";

type Tone = "good" | "neutral" | "bad";

/** A user's account status in the back office. */
export const USER_STATUS: Record<string, { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "good" },
  suspended: { label: "Suspended", tone: "bad" },
  closed: { label: "Closed", tone: "neutral" },
};

/** A user's KYC status (their latest submission) as staff read it. */
export const KYC_STATUS: Record<string, { label: string; tone: Tone }> = {
  none: { label: "Not started", tone: "neutral" },
  submitted: { label: "Under review", tone: "neutral" },
  approved: { label: "Verified", tone: "good" },
  rejected: { label: "Rejected", tone: "bad" },
};

export const ROLE_LABEL: Record<string, string> = {
  trader: "Trader",
  support: "Support",
  risk: "Risk",
  admin: "Admin",
};

/** One of the maps above as a badge; an unknown value shows as itself, neutral. */
export function MappedBadge(props: { map: Record<string, { label: string; tone: Tone }>; value: string }) {
  const entry = props.map[props.value] ?? { label: props.value, tone: "neutral" as const };
  return <StatusBadge tone={entry.tone}>{entry.label}</StatusBadge>;
}
