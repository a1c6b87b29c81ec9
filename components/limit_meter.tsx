import type { ComponentChildren } from "preact";
import type { MeterLevel } from "../services/accounts/overview_json.ts";
import { percent } from "../services/money_format.ts";

/** Level → words, symbol and colour; the words and symbol carry the meaning, the colour repeats it. */
export const LEVELS: Record<MeterLevel, { word: string; icon: string; bar: string; text: string }> = {
  ok: { word: "Within limit", icon: "✓", bar: "fill-brand", text: "text-brand-strong" },
  caution: {
    word: "Over half used",
    icon: "!",
    bar: "fill-amber-500 dark:fill-amber-400",
    text: "text-amber-800 dark:text-amber-300",
  },
  danger: {
    word: "Close to the floor",
    icon: "▲",
    bar: "fill-orange-600 dark:fill-orange-400",
    text: "text-orange-800 dark:text-orange-300",
  },
  breached: {
    word: "Breached",
    icon: "✕",
    bar: "fill-red-700 dark:fill-red-400",
    text: "text-red-700 dark:text-red-300",
  },
};

/** A level word with its symbol, e.g. "▲ Close to the floor". */
export function LevelTag(props: { level: MeterLevel }) {
  const l = LEVELS[props.level];
  return (
    <span class={`inline-flex items-center gap-1 text-xs font-semibold ${l.text}`}>
      <span aria-hidden="true">{l.icon}</span>
      {l.word}
    </span>
  );
}

/**
 * A limit as a meter (LOOK.md): the room left in money and %, a bar of the share used with ticks at 50 % and
 * 80 %, the level in words, and the sentence underneath for whoever wants the why.
 *
 * @param usedPercent "0.00"–"100.00", as the overview API writes it.
 */
export function LimitMeter(props: {
  id?: string;
  title: string;
  level: MeterLevel;
  /** The headline: room left, e.g. "$2,000 left". */
  headline: ComponentChildren;
  /** Beside the headline, e.g. "40 % of $5,000". */
  share: ComponentChildren;
  usedPercent: string;
  /** How the bar is read aloud, e.g. "60 % of the daily loss limit used". */
  label: string;
  children?: ComponentChildren;
}) {
  const used = Math.min(100, Math.max(0, Number(props.usedPercent)));
  const l = LEVELS[props.level];
  return (
    <section id={props.id} class="card p-4" aria-label={props.title}>
      <h3 class="flex flex-wrap items-center justify-between gap-2 text-sm font-semibold">
        {props.title}
        <LevelTag level={props.level} />
      </h3>
      <p class="mt-2 flex flex-wrap items-baseline gap-x-2">
        <span class="text-2xl font-semibold tracking-tight tabular-nums" data-figure="left">
          {props.headline}
        </span>
        <span class="text-sm text-muted tabular-nums">{props.share}</span>
      </p>
      <div
        class="mt-3"
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={used}
        aria-valuetext={props.label}
      >
        <Bar percent={used} fill={l.bar} ticks />
      </div>
      <div class="relative mt-1 h-4 text-[0.7rem] text-muted tabular-nums" aria-hidden="true">
        <span class="absolute left-0">{percent(props.usedPercent)} used</span>
        <span class="absolute left-1/2 -translate-x-1/2 max-sm:hidden">{percent("50")}</span>
        <span class="absolute left-[80%] -translate-x-1/2">{percent("80")}</span>
      </div>
      {props.children && <div class="mt-3 space-y-1 text-sm text-muted">{props.children}</div>}
    </section>
  );
}

/** A goal as a meter (profit target, consistency, trading days): progress with its status in words. */
export function GoalMeter(props: {
  title: string;
  status: "met" | "progress" | "not_reached";
  headline: ComponentChildren;
  share: ComponentChildren;
  /** "0.00"–"100.00" done. */
  donePercent: string;
  label: string;
  children?: ComponentChildren;
}) {
  const done = Math.min(100, Math.max(0, Number(props.donePercent)));
  const word = { met: "✓ Met", progress: "→ In progress", not_reached: "✕ Not reached" }[props.status];
  const tone = {
    met: "text-brand-strong",
    progress: "text-muted",
    not_reached: "text-red-700 dark:text-red-300",
  }[props.status];
  return (
    <section class="card p-4" aria-label={props.title}>
      <h3 class="flex flex-wrap items-center justify-between gap-2 text-sm font-semibold">
        {props.title}
        <span class={`text-xs font-semibold ${tone}`}>{word}</span>
      </h3>
      <p class="mt-2 flex flex-wrap items-baseline gap-x-2">
        <span class="text-2xl font-semibold tracking-tight tabular-nums">{props.headline}</span>
        <span class="text-sm text-muted tabular-nums">{props.share}</span>
      </p>
      <div
        class="mt-3"
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={done}
        aria-valuetext={props.label}
      >
        <Bar percent={done} fill={props.status === "not_reached" ? "fill-muted" : "fill-brand"} />
      </div>
      {props.children && <div class="mt-3 space-y-1 text-sm text-muted">{props.children}</div>}
    </section>
  );
}

/**
 * A horizontal bar filled to `percent`, drawn in SVG: the page's CSP allows no inline `style` attributes
 * (a server-rendered `style="width:…"` is dropped by the browser), while SVG geometry is plain attributes.
 * `ticks` marks the 50 % and 80 % thresholds.
 */
export function Bar(props: { percent: number; fill: string; ticks?: boolean; class?: string }) {
  const p = Math.min(100, Math.max(0, props.percent));
  return (
    <svg class={`block h-2.5 w-full overflow-hidden rounded-full ${props.class ?? ""}`} aria-hidden="true">
      <rect width="100%" height="100%" class="fill-line" />
      <rect width={`${p}%`} height="100%" rx="5" class={props.fill} />
      {props.ticks && (
        <>
          <rect x="50%" width="2" height="100%" class="fill-surface" />
          <rect x="80%" width="2" height="100%" class="fill-surface" />
        </>
      )}
    </svg>
  );
}
