/**
 * The venue's prices in the browser: one EventSource per tab on `GET /api/venue/stream?symbols=…` (`event:
 * ticks`, data `Tick[]`), shared by every island of the terminal through signals. Islands call
 * `connectPrices(symbols)` in an effect (the first call decides the symbols: the terminal asks for every
 * instrument it lists, so conversions and the watchlist stay live) and read `quotes`; `onTicks` hands each
 * batch to the chart. No stream opens during server rendering; there `quotes` holds the quotes the page was
 * rendered with (`seedQuotes`: public prices where the newest win, so sharing them between renders is harmless).
 *
 * The stream ends cleanly: closed on `pagehide` (and reopened if the page comes back from the back-forward
 * cache), so a tab never leaves a dangling connection behind; when the browser gives up reconnecting (a
 * refused reconnect, e.g. 401 or 429) a new EventSource is tried later with back-off.
 */
import { type ReadonlySignal, signal } from "@preact/signals";
import type { TickJson } from "./venue_types.ts";
import type { Connection } from "./user_stream.ts";

const state = signal<Connection>("connecting");
const last = signal<number | null>(null);
const book = signal<Readonly<Record<string, TickJson>>>({});
const listeners = new Set<(ticks: readonly TickJson[]) => void>();
const browser = typeof document !== "undefined";

let source: EventSource | null = null;
let symbols: string[] = [];
let retryMs = 1000;
let hooked = false;

/** "live" once connected, "reconnecting" from an error until the next open or batch. */
export const priceConnection: ReadonlySignal<Connection> = state;
/** `Date.now()` of the last batch received. */
export const lastTickAt: ReadonlySignal<number | null> = last;
/** The latest quote per symbol (seeded from the page, then the stream). */
export const quotes: ReadonlySignal<Readonly<Record<string, TickJson>>> = book;

/** Puts quotes known at render time into the book (older ones than what is there are ignored). */
export function seedQuotes(ticks: readonly TickJson[]): void {
  if (ticks.length) merge(ticks);
}

/** Opens the tab's price stream for `wanted`, once; later calls do nothing. A no-op outside the browser. */
export function connectPrices(wanted: readonly string[]): void {
  if (!browser || source) return;
  symbols = [...new Set(wanted)].sort();
  if (!hooked) {
    hooked = true;
    // Ending cleanly: the server sees the connection close when the page goes away, not at a timeout.
    addEventListener("pagehide", () => {
      source?.close();
      source = null;
    });
    addEventListener("pageshow", (e) => {
      if ((e as PageTransitionEvent).persisted && !source && symbols.length) open();
    });
  }
  open();
}

/** Calls `listener` with every batch of ticks, in arrival order; returns the unsubscribe. */
export function onTicks(listener: (ticks: readonly TickJson[]) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

function open(): void {
  const es = source = new EventSource(`/api/venue/stream?symbols=${encodeURIComponent(symbols.join(","))}`);
  es.addEventListener("ticks", (e) => {
    const ticks = JSON.parse((e as MessageEvent<string>).data) as TickJson[];
    state.value = "live";
    last.value = Date.now();
    retryMs = 1000;
    merge(ticks);
    listeners.forEach((listener) => listener(ticks));
  });
  es.onopen = () => void (state.value = "live");
  es.onerror = () => {
    state.value = "reconnecting";
    if (es.readyState !== EventSource.CLOSED) return;
    if (source === es) source = null;
    setTimeout(() => source || open(), retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  };
}

function merge(ticks: readonly TickJson[]): void {
  const next = { ...book.peek() };
  let changed = false;
  for (const t of ticks) {
    const had = next[t.symbol];
    if (had && (had.at > t.at || (had.at === t.at && had.bid === t.bid && had.ask === t.ask))) continue;
    next[t.symbol] = t;
    changed = true;
  }
  // Nothing new (e.g. the page's quotes seeded again): no new object, so nothing re-renders.
  if (changed) book.value = next;
}
