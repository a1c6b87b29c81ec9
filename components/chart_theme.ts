/**
 * The charts' colours, from the theme's own variables (static/styles.css: `--color-muted`, `--color-line`)
 * rather than hex copies, and kept in step with the colour scheme: lightweight-charts draws on a canvas, which
 * no CSS media query reaches, so a chart made in one scheme kept its colours when the scheme changed — light
 * grid lines, near white, over the dark theme's background.
 */
const DARK = "(prefers-color-scheme: dark)";

export interface ChartTheme {
  dark: boolean;
  /** Axis labels. */
  text: string;
  /** Grid lines. */
  grid: string;
}

/** The chart colours of the page's current scheme. */
export function chartTheme(): ChartTheme {
  const dark = matchMedia(DARK).matches;
  const css = getComputedStyle(document.documentElement);
  const value = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    dark,
    text: value("--color-muted", dark ? "#a3adbd" : "#4b5563"),
    grid: value("--color-line", dark ? "#1f2a3d" : "#e5e7eb"),
  };
}

/** The scheme-dependent part of a chart's options (`vertLines: false`: horizontal grid lines only). */
export function themeOptions(theme: ChartTheme, opts: { vertLines?: boolean } = {}) {
  return {
    layout: { textColor: theme.text },
    grid: {
      vertLines: opts.vertLines === false ? { visible: false } : { color: theme.grid },
      horzLines: { color: theme.grid },
    },
  };
}

/** Calls `apply` with the new colours whenever the colour scheme changes; returns the unsubscribe. */
export function onSchemeChange(apply: (theme: ChartTheme) => void): () => void {
  const media = matchMedia(DARK);
  const listener = () => apply(chartTheme());
  media.addEventListener("change", listener);
  return () => media.removeEventListener("change", listener);
}
