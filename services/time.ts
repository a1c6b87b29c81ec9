/**
 * Time is stored in UTC and shown in the viewer's time zone. Formatters are cached: building an
 * Intl.DateTimeFormat costs far more than using one.
 */
import { z } from "zod";
import { effectiveZone, formatDate, formatDateTime, zoneLabel } from "./time_format.ts";

export { effectiveZone, formatDate, formatDateTime, zoneLabel };

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

/** An epoch-ms instant as ISO-8601 UTC, the form the API and evidence use. */
export function isoAt(t: number): string {
  return new Date(t).toISOString();
}

/** A nullable date (a database column) as ISO-8601 UTC, or null. */
export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
