/**
 * Instants for people, in the viewer's time zone. Pure and free of packages, so islands show times with the
 * same formatter as the server (services/time.ts re-exports it). Formatters are cached: building an
 * Intl.DateTimeFormat costs far more than using one.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The zone the formatters really use: `timeZone` when Intl knows it, else UTC (a stale profile value). */
export function effectiveZone(timeZone: string): string {
  return partsFormat(timeZone) ? timeZone : "UTC";
}

/**
 * A zone a person or a plan may name: one Intl knows, named by region ("Asia/Tokyo") or UTC — not a bare
 * abbreviation ("EST", "CET") whose meaning varies. The rule of a profile's zone (services/auth/profile.ts)
 * and a plan's trading-day zone (services/plans/definition.ts); pure, so the dashboard's zone notice
 * (islands/zone_notice.tsx) offers only what the profile update will accept.
 */
export function isRegionZone(timeZone: string): boolean {
  // Not through the formatter cache: Intl takes any letter case, so user input could grow it without bound.
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    return false;
  }
  return timeZone.includes("/") || timeZone === "UTC";
}

/** Cached numeric formatter for `timeZone`, or null when Intl does not know the zone. */
function partsFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = formats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        hourCycle: "h23",
        timeZone,
      });
    } catch {
      return null;
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of `date` in `timeZone` (UTC for an unknown zone). */
function wallClock(date: Date, timeZone: string) {
  const format = partsFormat(timeZone) ?? partsFormat("UTC")!;
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const part of format.formatToParts(date)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/**
 * The one date-time format of the product, in every page and mail: "6 Dec 2026, 22:35" — day, English month
 * abbreviation, year, 24-hour time — in the viewer's `timeZone` (UTC when the zone is unknown), DST-aware.
 * The zone is not repeated on every value: a page names it once (`zoneLabel`, components/date_time.tsx).
 * Built from parts rather than a locale's pattern, so an ICU update cannot turn "Sep" into "Sept".
 */
export function formatDateTime(date: Date, timeZone = "UTC"): string {
  const t = wallClock(date, timeZone);
  return `${t.day} ${MONTHS[t.month - 1]} ${t.year}, ${pad2(t.hour)}:${pad2(t.minute)}`;
}

/** The date part of `formatDateTime`: "6 Dec 2026" in `timeZone`. */
export function formatDate(date: Date, timeZone = "UTC"): string {
  const t = wallClock(date, timeZone);
  return `${t.day} ${MONTHS[t.month - 1]} ${t.year}`;
}

/**
 * A calendar day key ("2026-11-25": a trading day, a statistics day) as people read it, in `formatDate`'s
 * format: "25 Nov 2026". A day key already names a day in the plan's or the viewer's zone, so it is read as
 * that calendar date, with no zone conversion. Anything that is not a YYYY-MM-DD key is returned unchanged.
 */
export function formatDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(date.getTime()) ? day : formatDate(date, "UTC");
}

/**
 * How a page names the zone its times are in, once: "Europe/Prague (UTC+1)" — the IANA name a trader chose
 * in their profile and its offset at `at` (now, by default); "UTC" for UTC and for an unknown zone.
 */
export function zoneLabel(timeZone: string, at: Date = new Date()): string {
  const zone = effectiveZone(timeZone);
  if (zone === "UTC" || zone === "Etc/UTC") return "UTC";
  const t = wallClock(at, zone);
  const offsetMinutes = Math.round(
    (Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - Math.floor(at.getTime() / 60_000) * 60_000) /
      60_000,
  );
  const sign = offsetMinutes < 0 ? "−" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad2(abs % 60)}` : ""}`;
  return `${zone.replaceAll("_", " ")} (${offset})`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
