/**
 * One account's own stream in the browser (`GET /api/accounts/:id/stream`), for staff viewing a trader's
 * account: their user stream carries their own accounts only. One EventSource per account per tab; the
 * browser resumes it with `Last-Event-ID`. Nothing here runs during server rendering.
 */
import { type ReadonlySignal, signal } from "@preact/signals";
import type { AccountChangeJson } from "./types.ts";
import type { Connection } from "./user_stream.ts";

const state = signal<Connection>("connecting");
const last = signal<number | null>(null);

/** The state of the account streams of this tab (one account page, one stream). */
export const accountConnection: ReadonlySignal<Connection> = state;
/** `Date.now()` of the last frame of an account stream. */
export const accountFrameAt: ReadonlySignal<number | null> = last;

const followed = new Set<string>();

/** Calls `listener` with every change of the account from now on; opens its stream once per tab. */
export function followAccountStream(accountId: string, listener: (c: AccountChangeJson) => void): void {
  if (typeof document === "undefined" || followed.has(accountId)) return;
  followed.add(accountId);
  const open = () => {
    const es = new EventSource(`/api/accounts/${accountId}/stream`);
    const seen = () => {
      state.value = "live";
      last.value = Date.now();
    };
    es.addEventListener("snapshot", seen);
    es.addEventListener("change", (e) => {
      seen();
      listener(JSON.parse((e as MessageEvent<string>).data) as AccountChangeJson);
    });
    es.onopen = () => void (state.value = "live");
    es.onerror = () => {
      state.value = "reconnecting";
      if (es.readyState === EventSource.CLOSED) setTimeout(open, 5000);
    };
  };
  open();
}
