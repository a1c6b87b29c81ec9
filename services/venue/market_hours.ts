/**
 * Weekly trading sessions in a time zone, compared in local wall-clock time so DST moves the sessions with the
 * zone (New York 17:00 is 22:00 UTC in winter and 21:00 UTC in summer). Pure: no DB, no clock.
 */
/**
 * A weekly session schedule in a time zone. Each listed ISO weekday (1 = Monday … 7 = Sunday) opens a session
 * at `open` local time that runs until `close`: the same day when `close` > `open`, else the next day (the
 * usual FX shape, Sunday 17:05 New York → Monday 17:00). A gap between one session's close and the next
 * one's open is the daily break; DST follows the zone.
 */
export interface TradingHours {
  timeZone: string;
  open: string;
  close: string;
  days: number[];
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of "HH:MM"; throws on anything else (validation happens before storage). */
export function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new RangeError(`not a HH:MM time: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function isHhmm(value: string): boolean {
  return HHMM.test(value);
}

interface Wall {
  year: number;
  month: number;
  day: number;
  /** Minutes after local midnight. */
  minutes: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallOf(at: Date, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const weekday = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay() || 7;
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    minutes: parts.hour * 60 + parts.minute,
    weekday,
  };
}

/** The instant the zone's clock reads `minutes` on the given local date (the later one in a DST gap). */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const target = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = target;
  // Two rounds settle the offset, including across a DST change between the guess and the answer.
  for (let i = 0; i < 2; i++) {
    const wall = wallOf(new Date(guess), timeZone);
    const seen = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minutes);
    guess += target - seen;
  }
  return new Date(guess);
}

/** Whether `at` falls inside one of the schedule's sessions. */
export function inSession(hours: TradingHours, at: Date): boolean {
  const open = minutesOf(hours.open);
  const close = minutesOf(hours.close);
  const wall = wallOf(at, hours.timeZone);
  const overnight = close <= open;
  if (hours.days.includes(wall.weekday) && wall.minutes >= open && (overnight || wall.minutes < close)) {
    return true;
  }
  const yesterday = wall.weekday === 1 ? 7 : wall.weekday - 1;
  return overnight && hours.days.includes(yesterday) && wall.minutes < close;
}

/** The first session opening strictly after `at`, or null when the schedule has no days. */
export function sessionOpeningAfter(hours: TradingHours, at: Date): Date | null {
  if (!hours.days.length) return null;
  const open = minutesOf(hours.open);
  const wall = wallOf(at, hours.timeZone);
  for (let k = 0; k <= 8; k++) {
    const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + k));
    if (!hours.days.includes(date.getUTCDay() || 7)) continue;
    const candidate = instantOf(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      open,
      hours.timeZone,
    );
    if (candidate.getTime() > at.getTime()) return candidate;
  }
  return null;
}
