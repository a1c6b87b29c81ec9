/**
 * The demo trader's calendar: trading days in a plan's zone (DST-correct, through the engine's own
 * `tradingDay`), weekdays only, each with the hours the trader is at the screen.
 */
import { tradingDay } from "../engine/trading_day.ts";
import type { Reset } from "../plans/definition.ts";

const HOUR = 3_600_000;

export interface Day {
  /** The trading day's label (YYYY-MM-DD), as the engine names it. */
  key: string;
  opensAt: number;
  closesAt: number;
  /** When the trader trades in it (epoch ms). */
  from: number;
  to: number;
  /** The day that contains `now`: its session is cut at `now`. */
  today: boolean;
}

/**
 * The trader's session inside a trading day, as hours after the reset: a midnight reset (Prague) is traded
 * 08:00–21:00 local; an evening one (New York 17:00, opening the next day's session) from 02:00 to 15:00.
 */
function session(reset: Reset): [number, number] {
  return reset.time >= "12:00" ? [9, 22] : [8, 21];
}

function dayOf(t: number, reset: Reset): Day {
  const day = tradingDay(t, reset);
  const [from, to] = session(reset);
  return { ...day, from: day.opensAt + from * HOUR, to: day.opensAt + to * HOUR, today: false };
}

/** Saturday and Sunday sessions are closed (the label is the date most of the session's hours fall on). */
function isWeekday(key: string): boolean {
  const weekday = new Date(`${key}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The last `count` weekday sessions up to `now`, oldest first. Today's counts once the trader has had an
 * hour in it, and ends a minute before `now` (events are never stamped ahead of the clock).
 */
export function recentDays(reset: Reset, now: number, count: number): Day[] {
  const days: Day[] = [];
  let day = dayOf(now, reset);
  if (isWeekday(day.key) && day.from + HOUR <= now) {
    days.push({ ...day, to: Math.min(day.to, now - 60_000), today: day.to > now - 60_000 });
  }
  while (days.length < count) {
    day = dayOf(day.opensAt - 1, reset);
    if (isWeekday(day.key)) days.push(day);
  }
  return days.reverse();
}

/** `count` weekday sessions ending `gap` weekdays before `day`, oldest first. */
export function daysBefore(day: Day, reset: Reset, count: number, gap = 0): Day[] {
  const days: Day[] = [];
  let skip = gap;
  let current = day;
  while (days.length < count) {
    current = dayOf(current.opensAt - 1, reset);
    if (!isWeekday(current.key)) continue;
    if (skip > 0) skip--;
    else days.push(current);
  }
  return days.reverse();
}
