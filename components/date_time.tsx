import { formatDateTime, formatDay, zoneLabel } from "../services/time_format.ts";

/**
 * An instant in the product's one format ("6 Dec 2026, 22:35", services/time.ts) in the viewer's zone, as a
 * `<time>` whose `datetime` keeps the exact UTC instant for machines and assistive technology.
 */
export function DateTime(props: { at: Date | string; zone: string }) {
  const at = typeof props.at === "string" ? new Date(props.at) : props.at;
  return <time datetime={at.toISOString()}>{formatDateTime(at, props.zone)}</time>;
}

/**
 * A calendar day key ("2026-11-25": a trading day) as people read it ("25 Nov 2026", services/time_format.ts
 * `formatDay`), in a `<time>` whose `datetime` keeps the ISO day for machines.
 */
export function Day(props: { day: string }) {
  return <time datetime={props.day}>{formatDay(props.day)}</time>;
}

/** Names, once per page or table, the zone every `DateTime` on it is shown in. */
export function ZoneNote(props: { zone: string; class?: string }) {
  return (
    <p class={`text-sm text-muted ${props.class ?? ""}`}>
      Times are in {zoneLabel(props.zone)}, your profile's time zone.
    </p>
  );
}
