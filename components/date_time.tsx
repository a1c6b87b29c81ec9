import { formatDateTime, zoneLabel } from "../services/time.ts";

/**
 * An instant in the product's one format ("6 Dec 2026, 22:35", services/time.ts) in the viewer's zone, as a
 * `<time>` whose `datetime` keeps the exact UTC instant for machines and assistive technology.
 */
export function DateTime(props: { at: Date | string; zone: string }) {
  const at = typeof props.at === "string" ? new Date(props.at) : props.at;
  return <time datetime={at.toISOString()}>{formatDateTime(at, props.zone)}</time>;
}

/** Names, once per page or table, the zone every `DateTime` on it is shown in. */
export function ZoneNote(props: { zone: string; class?: string }) {
  return (
    <p class={`text-sm text-muted ${props.class ?? ""}`}>
      Times are in {zoneLabel(props.zone)}, your profile's time zone.
    </p>
  );
}
