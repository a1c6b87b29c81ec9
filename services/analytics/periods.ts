/**
 * The UTC periods of an analytics range (DESIGN §3.4): days, ISO weeks (Monday 00:00 UTC) or calendar months.
 * The first and last period are cut to the range, so every instant of [from, to) is in exactly one period
 * and no figure outside the range is counted. Pure: no clock, no database.
 */
export const GRANULARITIES = ["day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** At most this many periods in one answer (a year by day fits; ten years by day does not). */
export const MAX_PERIODS = 400;

export interface Period {
  /** The period's start as PostgreSQL's `date_trunc` gives it (the key rows are grouped by), epoch ms. */
  key: number;
  /** The period within the range: [start, end). */
  start: Date;
  end: Date;
}

const DAY = 86_400_000;

/** The start of the UTC period containing `t`, as `date_trunc(granularity, t at time zone 'UTC')`. */
export function periodStart(t: number, granularity: Granularity): number {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (granularity === "day") return midnight;
  if (granularity === "week") return midnight - ((d.getUTCDay() + 6) % 7) * DAY;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the period after the one starting at `start`. */
function nextStart(start: number, granularity: Granularity): number {
  if (granularity === "day") return start + DAY;
  if (granularity === "week") return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The periods covering [from, to), or null when there would be more than MAX_PERIODS (the caller answers
 * 422). Assumes from < to.
 */
export function periodsOf(from: Date, to: Date, granularity: Granularity): Period[] | null {
  const periods: Period[] = [];
  for (let key = periodStart(+from, granularity); key < +to; key = nextStart(key, granularity)) {
    if (periods.length === MAX_PERIODS) return null;
    const end = nextStart(key, granularity);
    periods.push({ key, start: new Date(Math.max(key, +from)), end: new Date(Math.min(end, +to)) });
  }
  return periods;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A period's name in UTC from its start in epoch seconds: "Mar 2024", "4 Mar 2024", "w/c 4 Mar 2024". */
export function periodLabel(granularity: "day" | "week" | "month") {
  return (t: number) => {
    const d = new Date(t * 1000);
    const month = `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    if (granularity === "month") return month;
    const day = `${d.getUTCDate()} ${month}`;
    return granularity === "week" ? `w/c ${day}` : day;
  };
}

/** A UTC date `YYYY-MM-DD` (as PostgreSQL reads a `date`) of the day holding instant `t` (epoch ms). */
export function utcDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * How [from, to) splits between the per-day rollups and the raw rows (queries.ts): the whole UTC days
 * [firstDay, endDay) inside it, and the instants outside them, [from, firstDay) and [endDay, to) — empty
 * when the range starts and ends at midnight, as the API's dates do. A range inside one day has no whole
 * day: both bounds are then `from`, so the raw part is the whole range.
 */
export function wholeDays(from: Date, to: Date): { firstDay: Date; endDay: Date } {
  const first = periodStart(+from, "day") === +from ? +from : periodStart(+from, "day") + DAY;
  const end = periodStart(+to, "day");
  return first < end
    ? { firstDay: new Date(first), endDay: new Date(end) }
    : { firstDay: from, endDay: from };
}

/**
 * The whole weeks or months [start, end) (as UTC dates) within the days [firstDay, endDay), both given as
 * midnights; `start = end = firstDay` when none fits. What is outside them is read day by day.
 */
export function wholeSpans(firstDay: number, endDay: number, granularity: "week" | "month"): {
  start: number;
  end: number;
} {
  const start = periodStart(firstDay, granularity) === firstDay
    ? firstDay
    : nextStart(periodStart(firstDay, granularity), granularity);
  const end = periodStart(endDay, granularity);
  return start < end ? { start, end } : { start: firstDay, end: firstDay };
}
