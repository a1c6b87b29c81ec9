/**
 * Instants for people, in the viewer's time zone. Pure and free of packages, so islands show times with the
 * same formatter as the server (services/time.ts re-exports it). Formatters are cached: building an
 * Intl.DateTimeFormat costs far more than using one.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

/** "26 Nov 2026, 14:05 CET" in `timeZone` (falls back to UTC for an unknown zone). */
export function formatDateTime(date: Date, timeZone = "UTC", locale = "en-GB"): string {
  const key = `${locale}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, {
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone,
        timeZoneName: "short",
      });
    } catch (error) {
      // An unknown zone (a stale profile value) falls back to UTC, which always exists.
      if (timeZone === "UTC") throw error;
      return formatDateTime(date, "UTC", locale);
    }
    formats.set(key, format);
  }
  return format.format(date);
}
