/**
 * The terminal's shared state in the browser: the account as the venue trades it (`GET /api/venue/accounts/
 * :id`), the instruments, and the symbol the chart and ticket are on. One instance per page (islands import
 * it; the bundler splits it out once), so the chart, ticket and tables read and change the same signals.
 *
 * The account is refetched after each of the terminal's own actions and on the change frames of the user
 * stream that may have changed the book (a fill, a close by SL/TP or a breach flows through the engine and
 * arrives there): one request in flight, at most one queued, so a burst of frames costs two requests. The
 * venue's marks of open positions (a frame a second or more) are not refetched: they change only equity,
 * which the terminal marks itself at every tick (`onlyMarks`). While the stream is down the account is polled
 * every `POLL_MS`, and read once more when the stream is back (what it missed may not be replayed in full).
 */
import { type Signal, signal } from "@preact/signals";
import { connection, connectUserStream, onAccountChange, onlyMarks, onStreamGap } from "./user_stream.ts";
import type { AccountSummaryJson } from "./types.ts";
import type { ApiErrorJson, InstrumentJson, VenueAccountJson } from "./venue_types.ts";

export interface TerminalSeed {
  accountId: string;
  instruments: InstrumentJson[];
  symbol: string;
  venue: VenueAccountJson | null;
}

interface Store {
  accountId: string;
  instruments: Signal<InstrumentJson[]>;
  symbol: Signal<string>;
  venue: Signal<VenueAccountJson | null>;
  /** Epoch ms of the last successful read of the venue account. */
  venueAt: Signal<number | null>;
  refresh(): Promise<void>;
}

const browser = typeof document !== "undefined";
let store: Store | null = null;

/** The page's terminal store (created from the first island's seed; on the server, a fresh one per render). */
export function terminalStore(seed: TerminalSeed): Store {
  if (browser && store?.accountId === seed.accountId) return store;
  const s: Store = {
    accountId: seed.accountId,
    instruments: signal(seed.instruments),
    symbol: signal(seed.symbol),
    venue: signal(seed.venue),
    venueAt: signal(seed.venue ? Date.now() : null),
    refresh: async () => {},
  };
  if (!browser) return s;
  store = s;
  s.refresh = refresher(s);
  connectUserStream();
  let previous: AccountSummaryJson | null = null;
  onAccountChange(s.accountId, (change) => {
    // A connector's frames are its batches (its trades among them, unflagged): each may change the book.
    const marks = s.venue.peek()?.tradeSource === "venue" && onlyMarks(change, previous);
    previous = change.account;
    if (!marks) void s.refresh();
  });
  let poll: ReturnType<typeof setInterval> | undefined;
  onStreamGap(connection, {
    onDown: () => void (poll ??= setInterval(() => void s.refresh(), POLL_MS)),
    onBack: () => {
      clearInterval(poll);
      poll = undefined;
      void s.refresh();
    },
  });
  if (!seed.venue) void s.refresh();
  return s;
}

/** How often the venue account is read while the user stream is down. */
const POLL_MS = 5_000;

function refresher(s: Store): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let again = false;
  return function refresh(): Promise<void> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        do {
          again = false;
          const res = await fetch(`/api/venue/accounts/${s.accountId}`, {
            headers: { accept: "application/json" },
          });
          if (!res.ok) break;
          s.venue.value = await res.json() as VenueAccountJson;
          s.venueAt.value = Date.now();
        } while (again);
      } catch {
        // The next frame or action refetches; the live marker shows the age meanwhile.
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };
}

/** What an action on the venue answered: the body on success, the API's error (code, message, fields) if not. */
export type VenueResult<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; code: string; message: string; fields: Record<string, string> };

/** Sends one action to the venue API (same-origin cookie session; the framework checks CSRF by origin). */
export async function venueAction<T>(
  method: "POST" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<VenueResult<T>> {
  try {
    const res = await fetch(path, {
      method,
      headers: body === undefined
        ? { accept: "application/json", ...headers }
        : { accept: "application/json", "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (res.ok) return { ok: true, status: res.status, body: json as T };
    const error = (json as ApiErrorJson | null)?.error;
    return {
      ok: false,
      status: res.status,
      code: error?.code ?? "http_" + res.status,
      message: error?.message ?? `The venue answered ${res.status}.`,
      fields: error?.fields ?? {},
    };
  } catch {
    return {
      ok: false,
      status: 0,
      code: "network",
      message: "The venue could not be reached: check your connection and try again.",
      fields: {},
    };
  }
}

/** Sets the symbol the chart and the ticket show, and keeps it in the address (reload and share keep it). */
export function selectSymbol(s: Store, symbol: string): void {
  if (s.symbol.peek() === symbol) return;
  s.symbol.value = symbol;
  if (browser) {
    const url = new URL(location.href);
    url.searchParams.set("symbol", symbol);
    history.replaceState(history.state, "", url);
  }
}
