import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { connection, connectUserStream, onNotification } from "./live/user_stream.ts";
import type { NotificationJson } from "./live/types.ts";
import { percent } from "../services/money_format.ts";

/**
 * Notifications that arrive while the list page is open, above the server-rendered list (which a reload
 * would show them in), announced politely; and the stream's state, so a lost connection is visible. With
 * `empty` (the server found none) it also shows the empty state, until the first one arrives.
 */
export default function NotificationFeed(props: { empty: boolean }) {
  const arrived = useSignal<NotificationJson[]>([]);
  useEffect(() => {
    connectUserStream();
    return onNotification((n) => arrived.value = [n, ...arrived.value]);
  }, []);
  const state = connection.value;
  return (
    <div>
      <p class="text-sm text-muted" data-connection={state}>
        <span
          aria-hidden="true"
          class={`mr-1.5 inline-block size-2 rounded-full ${
            state === "live" ? "bg-green-600" : "bg-amber-500"
          }`}
        />
        {state === "live" ? "Live" : state === "reconnecting" ? "Reconnecting…" : "Connecting…"}
      </p>
      {props.empty && arrived.value.length === 0 && (
        <div class="card mt-4">
          <h2 class="text-xl font-bold tracking-tight">Nothing yet</h2>
          <p class="mt-2 text-muted">
            Breaches, pauses, passed phases, funded accounts waiting for verification and loss-limit warnings
            at {percent("50")} and {percent("80")}{" "}
            appear here as they happen, and by mail unless you turn it off.
          </p>
          <a href="/dashboard" class="btn-primary mt-6">Go to the dashboard</a>
        </div>
      )}
      <div aria-live="polite">
        {arrived.value.length > 0 && (
          <ul class="mt-4 space-y-3" aria-label="New notifications">
            {arrived.value.map((n) => (
              <li key={n.id} class="card border-brand/60" data-notification={n.type}>
                <p class="font-semibold">
                  <span class="mr-2 rounded-full bg-brand/15 px-2 py-0.5 text-xs font-semibold">New</span>
                  {n.title}
                </p>
                <p class="mt-1 text-sm text-muted">{n.body}</p>
                {n.accountId && (
                  <a
                    class="mt-2 inline-block text-sm font-semibold underline"
                    href={`/dashboard/accounts/${n.accountId}`}
                  >
                    Open the account
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
