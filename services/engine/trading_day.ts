/**
 * Trading-day boundaries of a plan: the daily reset at a local wall time in an IANA zone (DESIGN §3),
 * DST-correct, computed with `Intl.DateTimeFormat` only (no date library).
 *
 * Conventions:
 * - **DST gap** (the local reset time does not exist that day, e.g. 02:30 on a spring-forward Sunday): the
 *   reset happens at the first instant after the gap, i.e. at the transition itself.
 * - **DST overlap** (the local reset time happens twice): the first occurrence counts.
 * - **Day label** (`tradingDayKey`): a trading day is named by the local calendar date of the reset that
 *   opened it, **plus one day when the reset time is at or after 12:00**. Evening resets follow the futures /
 *   forex convention (New York 17:00 on Sunday opens *Monday's* session, Chicago 17:00 on Monday opens
 *   Tuesday's), morning and midnight resets name the day they open (Prague 00:00 on the 5th opens the 5th).
 *   The label therefore always names the calendar date on which most of the session's hours fall.
 */
import type { Reset } from "../plans/definition.ts";

const DAY_MS = 86_400_000;

/** A local calendar date. */
interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

/** One trading day: its label and the resets that open and close it (epoch ms, UTC). */
interface TradingDay {
  key: string;
  opensAt: number;
  closesAt: number;
}

/** The reset at or before `instant`: the start of the trading day that contains it. */
export function resetAtOrBefore(instant: number | Date, reset: Reset): number {
  return openingReset(+instant, reset).at;
}

/** The first reset strictly after `instant`: the end of the trading day that contains it. */
export function nextResetAfter(instant: number | Date, reset: Reset): number {
  const t = +instant;
  const today = localDate(t, reset.timeZone);
  for (let k = 0; k <= 2; k++) {
    const at = resetOn(addDays(today, k), reset);
    if (at > t) return at;
  }
  throw new RangeError(`no reset found after ${new Date(t).toISOString()} in ${reset.timeZone}`);
}

/** The "YYYY-MM-DD" label of the trading day containing `instant` (see the module notes). */
export function tradingDayKey(instant: number | Date, reset: Reset): string {
  return tradingDay(instant, reset).key;
}

/** The trading day containing `instant`: its label and its opening and closing resets. */
export function tradingDay(instant: number | Date, reset: Reset): TradingDay {
  const opening = openingReset(+instant, reset);
  const labelDate = Number(reset.time.slice(0, 2)) >= 12 ? addDays(opening.date, 1) : opening.date;
  return { key: formatDate(labelDate), opensAt: opening.at, closesAt: nextResetAfter(opening.at, reset) };
}

/**
 * The instant at which the local wall time `date` `hh:mm` happens in `timeZone`: the first occurrence in an
 * overlap, the end of the gap when it does not exist.
 */
function wallTimeToInstant(date: LocalDate, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // The offsets a day either side cover any single transition near this wall time.
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  // Gap: `wall - after` still reads the old offset, `wall - before` already the new one. The transition is the
  // first instant reading the new offset; offsets change on whole seconds, so search at second resolution.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The local calendar date of `instant` in `timeZone`. */
function localDate(instant: number, timeZone: string): LocalDate {
  const p = localParts(instant, timeZone);
  return { year: p[0], month: p[1], day: p[2] };
}

/** "YYYY-MM-DD". */
function formatDate(date: LocalDate): string {
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function openingReset(t: number, reset: Reset): { at: number; date: LocalDate } {
  const today = localDate(t, reset.timeZone);
  for (let k = 0; k >= -2; k--) {
    const date = addDays(today, k);
    const at = resetOn(date, reset);
    if (at <= t) return { at, date };
  }
  throw new RangeError(`no reset found before ${new Date(t).toISOString()} in ${reset.timeZone}`);
}

function resetOn(date: LocalDate, reset: Reset): number {
  const [hh, mm] = reset.time.split(":").map(Number);
  return wallTimeToInstant(date, hh, mm, reset.timeZone);
}

/** UTC offset of `timeZone` at `instant`, in ms (local wall time = instant + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = localParts(instant, timeZone);
  const wholeSecond = instant - (((instant % 1000) + 1000) % 1000);
  return Date.UTC(y, mo - 1, d, h, mi, s) - wholeSecond;
}

// Building an Intl.DateTimeFormat costs far more than using one; the engine reads offsets at every reset.
const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: number, timeZone: string): number[] {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, format);
  }
  const out = [0, 0, 0, 0, 0, 0];
  for (const part of format.formatToParts(instant)) {
    const i = PART_INDEX[part.type];
    if (i !== undefined) out[i] = Number(part.value);
  }
  return out;
}

const PART_INDEX: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};
