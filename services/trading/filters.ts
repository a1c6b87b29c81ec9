/**
 * The query strings of the history and statistics endpoints and pages, validated once: the API and the pages
 * take the same parameters, so a CSV link can carry a page's filters unchanged.
 *
 * `from`/`to` take an ISO-8601 instant, or a calendar date `YYYY-MM-DD` (what `<input type="date">` sends),
 * read in the given time zone (the viewer's on pages, UTC in the API): `from` is the start of that day, `to`
 * includes its whole day. Bounds are half-open, [from, to).
 */
import { z } from "zod";
import { isCalendarDay, isoTimeSchema } from "../time.ts";
import { nextResetAfter, resetAtOrBefore, tradingDayKey } from "../engine/trading_day.ts";
import { type HistoryFilters, MAX_LIMIT } from "./history.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const TIME = isoTimeSchema();

/** An ISO-8601 instant (in range, as every API time) or a real calendar date. */
function isBound(v: string): boolean {
  if (DATE.test(v)) return isCalendarDay(v);
  return TIME.safeParse(v).success;
}

const bound = z.string().refine(isBound, "must be a date YYYY-MM-DD or an ISO-8601 time");

/** Blank form fields (an unset select) mean "no filter". */
const blank = (v: unknown) => (v === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

export const rangeQuery = {
  from: optional(bound).describe("Start: an ISO-8601 time, or a date (its start)"),
  to: optional(bound).describe("End (exclusive): an ISO-8601 time, or a date (included whole)"),
};

export const historyQuerySchema = z.object({
  accountId: optional(z.uuid("must be an account id")).describe("One account; all of yours when absent"),
  symbol: optional(z.string().trim().min(1).max(32)),
  direction: optional(z.enum(["buy", "sell"], "must be buy or sell")),
  result: optional(z.enum(["win", "loss", "breakeven", "open"], "must be win, loss, breakeven or open")),
  ...rangeQuery,
  limit: optional(z.coerce.number().int().min(1).max(MAX_LIMIT)).describe(`Page size, 1–${MAX_LIMIT} (50)`),
  cursor: optional(z.string().max(200)).describe("`nextCursor` of the previous page"),
  before: optional(z.string().max(200)).describe("`prevCursor` of a page: the newer page before it"),
  format: optional(z.enum(["json", "csv"], "must be json or csv")).describe(
    "`csv`: every matching row as CSV (or Accept: text/csv)",
  ),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const statisticsQuerySchema = z.object({
  accountId: z.uuid("must be an account id"),
  ...rangeQuery,
});

/** The instants a `from`/`to` pair names in `timeZone` (see the module notes). */
export function rangeOf(
  q: { from?: string; to?: string },
  timeZone = "UTC",
): { from?: Date; to?: Date } {
  return {
    from: q.from === undefined ? undefined : new Date(boundAt(q.from, timeZone, false)),
    to: q.to === undefined ? undefined : new Date(boundAt(q.to, timeZone, true)),
  };
}

/** The history filters of a validated query. */
export function historyFiltersOf(q: HistoryQuery, timeZone = "UTC"): HistoryFilters {
  return {
    accountId: q.accountId,
    symbol: q.symbol,
    direction: q.direction,
    result: q.result,
    ...rangeOf(q, timeZone),
  };
}

function boundAt(value: string, timeZone: string, end: boolean): number {
  if (!DATE.test(value)) return Date.parse(value);
  const start = localMidnight(value, timeZone);
  return end ? nextResetAfter(start, { timeZone, time: "00:00" }) : start;
}

/** The instant local day `date` starts in `timeZone` (DST-correct, through the trading-day calendar). */
export function localMidnight(date: string, timeZone: string): number {
  const midnight = { timeZone, time: "00:00" };
  const noon = Date.parse(`${date}T12:00:00Z`);
  const key = tradingDayKey(noon, midnight);
  const at = resetAtOrBefore(noon, midnight);
  // Noon UTC falls on the neighbouring local date in zones more than 12 hours from UTC.
  if (key > date) return resetAtOrBefore(at - 1, midnight);
  if (key < date) return nextResetAfter(noon, midnight);
  return at;
}
