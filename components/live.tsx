import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ago } from "./figures.ts";

/** The states of the page's one live connection (contract A's `Connection`). */
export type LiveState = "connecting" | "live" | "reconnecting";

/**
 * "live · updated 2 s ago" beside figures that stream (LOOK.md), "reconnecting…" while the stream is down —
 * the freshness is then the age of the figures on screen, which is still worth knowing. Not a live region:
 * it changes every second, and screen readers would announce each tick. `ended`: the account's evaluation
 * is over (components/status_badge.tsx `isEnded`), and the marker says so instead.
 *
 * @param updatedAt epoch ms of the figures shown (the last change or fetch), or null before any.
 * @param now epoch ms, ticking in the island so the age counts up between frames.
 */
export function LiveMarker(
  props: { state: LiveState; updatedAt: number | null; now: number; ended?: boolean },
) {
  // An ended account's figures are its last ones: "live · updated just now" would say it is still judged.
  if (props.ended) {
    return (
      <span class="inline-flex items-center gap-1.5 text-xs text-muted" data-live="ended">
        <span aria-hidden="true" class="inline-block h-0.5 w-2 bg-current" />
        Ended · final figures
      </span>
    );
  }
  const age = props.updatedAt === null ? null : ago(props.now - props.updatedAt);
  const live = props.state === "live";
  return (
    <span
      class="inline-flex items-center gap-1.5 text-xs text-muted tabular-nums"
      data-live={props.state}
    >
      <span
        aria-hidden="true"
        class={`inline-block size-2 rounded-full ${
          live ? "bg-brand motion-safe:animate-pulse" : "border border-current bg-transparent"
        }`}
      />
      {live ? "live" : props.state === "reconnecting" ? "reconnecting…" : "connecting…"}
      {age && ` · updated ${age}`}
    </span>
  );
}

/** A ticking clock for islands: re-renders every `everyMs` with the current time. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const reducedMotion = () =>
  typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;

/**
 * Wraps a figure that changes live: when `value` changes the figure is highlighted briefly, so the eye finds
 * what moved (not with reduced motion, where the new value simply appears).
 */
export function Flash(props: { value: string; class?: string; children: ComponentChildren }) {
  const previous = useRef(props.value);
  const [on, setOn] = useState(false);
  useEffect(() => {
    if (previous.current === props.value) return;
    previous.current = props.value;
    if (reducedMotion()) return;
    setOn(true);
    const timer = setTimeout(() => setOn(false), 900);
    return () => clearTimeout(timer);
  }, [props.value]);
  return (
    <span
      data-flash={on ? "on" : undefined}
      class={`rounded transition-colors duration-700 ${
        on ? "bg-amber-300/50 dark:bg-amber-400/30" : "bg-transparent"
      } ${props.class ?? ""}`}
    >
      {props.children}
    </span>
  );
}
