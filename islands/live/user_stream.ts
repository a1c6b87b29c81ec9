/**
 * The user stream in the browser: one EventSource per tab on `GET /api/users/stream`, shared by every island
 * of the page (this module is one instance per page: islands import it, the bundler splits it out once).
 * Islands call `connectUserStream()` in an effect and read signals; nothing here runs during server
 * rendering, where there is no stream (signals stay at their initial values there).
 *
 * Gaps are the server's business: the EventSource reconnects with `Last-Event-ID` and the server replays
 * what was missed (or sends a new snapshot). When the browser gives up (the reconnect was refused, e.g. 401
 * or 429), a new EventSource is opened later with `?lastEventId=` so the resume is as exact.
 */
import { effect, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import type {
  AccountChangeJson,
  AccountSummaryJson,
  NotificationFrameJson,
  NotificationJson,
  UserSnapshotJson,
} from "./types.ts";

export type Connection = "connecting" | "live" | "reconnecting";

const state = signal<Connection>("connecting");
const last = signal<number | null>(null);
const unread = signal(0);

/** "live" once connected or a frame arrived, "reconnecting" from an error until then. */
export const connection: ReadonlySignal<Connection> = state;
/** `Date.now()` of the last frame (heartbeats are SSE comments, which an EventSource does not surface). */
export const lastFrameAt: ReadonlySignal<number | null> = last;
/** The user's unread notifications (the bell). */
export const unreadNotifications: ReadonlySignal<number> = unread;

const summaries = new Map<string, Signal<AccountSummaryJson | null>>();
const changeListeners = new Map<string, Set<(c: AccountChangeJson) => void>>();
const notificationListeners = new Set<(n: NotificationJson) => void>();
const browser = typeof document !== "undefined";

let source: EventSource | null = null;
let lastId = "";
let retryMs = 1000;

/** Opens the tab's stream, once; later calls do nothing. A no-op outside the browser. */
export function connectUserStream(): void {
  if (source || !browser) return;
  open();
}

function open(): void {
  const es = source = new EventSource(
    lastId ? `/api/users/stream?lastEventId=${encodeURIComponent(lastId)}` : "/api/users/stream",
  );
  es.addEventListener("snapshot", (e) => {
    const snap = frame<UserSnapshotJson>(e);
    for (const account of snap.accounts) put(account);
    unread.value = snap.unread;
  });
  es.addEventListener("change", (e) => {
    const change = frame<AccountChangeJson>(e);
    put(change.account);
    changeListeners.get(change.accountId)?.forEach((listener) => listener(change));
  });
  es.addEventListener("notification", (e) => {
    const note = frame<NotificationFrameJson>(e);
    unread.value = note.unread;
    notificationListeners.forEach((listener) => listener(note));
  });
  // The session ended (signed out elsewhere, revoked, suspended): reconnecting would only be refused, and the
  // page shows data its reader may no longer see. Off to sign in, coming back here afterwards.
  es.addEventListener("ended", () => {
    es.close();
    // Said at once, over whatever the page shows: the navigation can take a moment on a busy machine.
    const note = document.createElement("p");
    note.setAttribute("role", "alert");
    note.className = "fixed inset-x-0 top-0 z-50 border-b border-line bg-raised px-4 py-3 text-center " +
      "font-semibold text-ink shadow";
    note.textContent = "You were signed out: your session ended. Taking you to sign in…";
    document.body.prepend(note);
    const here = location.pathname + location.search;
    location.assign(`/signin?ended=1&next=${encodeURIComponent(here)}`);
  });
  // Connected again (a resume may bring no frame until the next change): live, not "reconnecting…".
  es.onopen = () => void (state.value = "live");
  es.onerror = () => {
    state.value = "reconnecting";
    if (es.readyState !== EventSource.CLOSED) return;
    // The browser gave up (a refused reconnect): try again later, resuming where the stream was.
    source = null;
    setTimeout(() => source || open(), retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  };
}

function frame<T>(e: Event): T {
  const m = e as MessageEvent<string>;
  if (m.lastEventId) lastId = m.lastEventId;
  state.value = "live";
  last.value = Date.now();
  retryMs = 1000;
  return JSON.parse(m.data) as T;
}

function put(account: AccountSummaryJson): void {
  const s = summarySignal(account.id);
  if (!s.value || s.value.stateVersion <= account.stateVersion) s.value = account;
}

function summarySignal(accountId: string): Signal<AccountSummaryJson | null> {
  // On the server (rendering islands) nothing streams: hand out a fresh signal and keep nothing.
  if (!browser) return signal(null);
  let s = summaries.get(accountId);
  if (!s) summaries.set(accountId, s = signal(null));
  return s;
}

/** The account as the stream last described it (null until its snapshot or first change). */
export function accountSummary(accountId: string): ReadonlySignal<AccountSummaryJson | null> {
  return summarySignal(accountId);
}

/** Calls `listener` with every change of the account; returns the unsubscribe. */
export function onAccountChange(accountId: string, listener: (c: AccountChangeJson) => void): () => void {
  let set = changeListeners.get(accountId);
  if (!set) changeListeners.set(accountId, set = new Set());
  set.add(listener);
  return () => void set.delete(listener);
}

/**
 * Whether a change frame only re-marked the account (the venue marks open positions at every tick: a frame a
 * second or more while one is open): no verdict, no position opened or closed (`book`), the balance and the
 * status as in `before`, the account's previous frame. It then changed nothing but what it carries itself
 * (equity, version); any other frame may have changed more than it says.
 */
export function onlyMarks(change: AccountChangeJson, before: AccountSummaryJson | null): boolean {
  return before !== null && change.kind === "sync" && change.verdicts.length === 0 && !change.book &&
    change.account.balance === before.balance && change.account.status === before.status;
}

/**
 * Calls `onDown` when the stream `state` goes from live to reconnecting and `onBack` when it is live again
 * (not on the first connection): a page that relies on the stream polls meanwhile and catches up after.
 * Returns the unsubscribe. A no-op outside the browser.
 */
export function onStreamGap(
  state: ReadonlySignal<Connection>,
  handlers: { onDown(): void; onBack(): void },
): () => void {
  if (!browser) return () => {};
  let down = false;
  return effect(() => {
    const now = state.value;
    if (now === "reconnecting" && !down) {
      down = true;
      handlers.onDown();
    } else if (now === "live" && down) {
      down = false;
      handlers.onBack();
    }
  });
}

/** Calls `listener` with every new notification (its `unread` field is the count after it). */
export function onNotification(listener: (n: NotificationJson) => void): () => void {
  notificationListeners.add(listener);
  return () => void notificationListeners.delete(listener);
}
