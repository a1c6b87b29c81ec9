import type { ComponentChildren } from "preact";

/**
 * The box a wide table scrolls in on a narrow screen. It is a named, focusable region (WCAG 2.1.1: a
 * keyboard user must be able to scroll what overflows, and a screen reader announces what it holds), so
 * every scrolling table gets the same three attributes instead of each page remembering them.
 *
 * `label` names the region, or `labelledBy` points at the heading that does; `class` adds the frame and
 * spacing (`mt-4 rounded-xl border border-line`, say); `both` scrolls down too, for a table with a height cap.
 * It is `relative` so a visually hidden label in a cell (`sr-only` is position: absolute) is placed and
 * clipped inside the box: with no positioned ancestor it escaped and widened the whole page on a phone.
 */
export function ScrollRegion(
  props: {
    label?: string;
    labelledBy?: string;
    class?: string;
    both?: boolean;
    children: ComponentChildren;
  },
) {
  return (
    <div
      class={`relative ${props.both ? "overflow-auto" : "overflow-x-auto"} ${props.class ?? ""}`.trim()}
      role="region"
      aria-label={props.label}
      aria-labelledby={props.labelledBy}
      tabIndex={0}
    >
      {props.children}
    </div>
  );
}
