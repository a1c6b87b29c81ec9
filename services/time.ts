/**
 * Time is stored in UTC and shown in the viewer's time zone. Formatters are cached: building an
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
        dateStyle: "medium",
        timeStyle: "short",
        timeZone,
        timeZoneName: "short",
      });
    } catch {
      return formatDateTime(date, "UTC", locale);
    }
    formats.set(key, format);
  }
  return format.format(date);
}
