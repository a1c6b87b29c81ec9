/**
 * Time is stored in UTC and shown in the viewer's time zone. Formatters are cached: building an
 * Intl.DateTimeFormat costs far more than using one.
 */
import { z } from "zod";
import { effectiveZone, formatDate, formatDateTime, formatDay, zoneLabel } from "./time_format.ts";

export { effectiveZone, formatDate, formatDateTime, formatDay, zoneLabel };

/**
 * The instants the API accepts, [EARLIEST, LATEST): trades, coupons and simulations all happen in this
 * century. Outside it a value is a mistake or a probe, and some (year 0000) do not even fit a PostgreSQL
 * timestamp.
 */
const EARLIEST = "2000-01-01T00:00:00Z";
const LATEST = "2100-01-01T00:00:00Z";
const EARLIEST_MS = Date.parse(EARLIEST);
const LATEST_MS = Date.parse(LATEST);

/**
 * Every instant the API takes: an ISO-8601 time with an offset ("2026-03-02T09:00:00Z"), a real calendar
 * date (not 2026-02-30), from 2000-01-01 up to (not including) 2100-01-01.
 */
export function isoTimeSchema() {
  return z.iso.datetime({ offset: true, message: "must be an ISO-8601 time" })
    .refine(inRange, "must be between 2000-01-01 and 2100-01-01");
}

function inRange(iso: string): boolean {
  const t = Date.parse(iso);
  return t >= EARLIEST_MS && t < LATEST_MS;
}

/**
 * A calendar day as forms and filters write it ("2026-12-06"), real and in the API's range: Date.parse
 * takes "2026-02-30" as 2 March, and "2026-13-45" threw later in the zone arithmetic.
 */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const t = Date.parse(`${day}T00:00:00Z`);
  return inRange(`${day}T00:00:00Z`) && isoAt(t).startsWith(day);
}

/** An epoch-ms instant as ISO-8601 UTC, the form the API and evidence use. */
export function isoAt(t: number): string {
  return new Date(t).toISOString();
}

/** A nullable date (a database column) as ISO-8601 UTC, or null. */
export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * A wall-clock time typed in a form (`<input type="datetime-local">`, "2026-12-06T22:35") read in `timeZone`,
 * as an instant (ISO-8601 UTC); null when it is not such a time. A time skipped by a DST change moves forward
 * by the gap; a repeated one takes its first occurrence.
 */
export function zonedLocalToIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (y < 1000) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall) || new Date(wall).toISOString().slice(0, 16) !== local) return null; // 2026-02-30
  // The zone's offset at a guess, then at the corrected instant (two steps settle any offset change).
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  return new Date(t).toISOString();
}

/** An instant as the "YYYY-MM-DDTHH:MM" a `datetime-local` input shows in `timeZone`. */
export function isoToZonedLocal(iso: string, timeZone: string): string {
  const t = Date.parse(iso);
  return new Date(t + offsetAt(t, timeZone)).toISOString().slice(0, 16);
}

/** The zone's offset from UTC at instant `t`, in ms (Prague in winter: +3,600,000). */
function offsetAt(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: effectiveZone(timeZone),
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return asUtc - Math.floor(t / 1000) * 1000;
}
