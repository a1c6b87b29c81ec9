import type { ComponentChildren } from "preact";

/**
 * One figure with its label (and an optional line under it): the dashboard's unit of "numbers first". The
 * value is tabular so tiles side by side compare at a glance; `dl` semantics keep label and value paired for
 * screen readers.
 */
export function StatTile(props: { label: string; children: ComponentChildren; sub?: ComponentChildren }) {
  return (
    <div class="rounded-xl border border-line bg-raised px-4 py-3">
      <dt class="text-xs font-medium uppercase tracking-wide text-muted">{props.label}</dt>
      <dd class="mt-1 text-xl font-semibold tabular-nums">{props.children}</dd>
      {props.sub && <dd class="mt-0.5 text-xs text-muted tabular-nums">{props.sub}</dd>}
    </div>
  );
}

/** A grid of `StatTile`s: two columns on a phone, up to four on a desktop. */
export function StatGrid(props: { label: string; children: ComponentChildren }) {
  return (
    <dl aria-label={props.label} class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
      {props.children}
    </dl>
  );
}
