import { useEffect } from "preact/hooks";
import { connectUserStream, lastFrameAt, unreadNotifications } from "./live/user_stream.ts";

/**
 * The bell: a link to the notification list with the unread count, live on the user stream. Without
 * JavaScript (or until the stream's first frame) it shows the count the server rendered.
 */
export default function NotificationBell(props: { initialUnread: number }) {
  useEffect(connectUserStream, []);
  const unread = lastFrameAt.value === null ? props.initialUnread : unreadNotifications.value;
  const label = unread === 0 ? "Notifications, none unread" : `Notifications, ${unread} unread`;
  return (
    <a
      href="/dashboard/notifications"
      aria-label={label}
      title={label}
      data-unread={unread}
      class="relative inline-flex size-10 items-center justify-center rounded-full text-ink hover:bg-raised focus-visible:outline-2 focus-visible:outline-brand"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor">
        <path
          stroke-width="1.8"
          stroke-linecap="round"
          stroke-linejoin="round"
          d="M6 9a6 6 0 1 1 12 0c0 4.5 1.5 6.5 2.5 7.5h-17C4.5 15.5 6 13.5 6 9Zm3.5 10.5a2.5 2.5 0 0 0 5 0"
        />
      </svg>
      {unread > 0 && (
        <span
          aria-hidden="true"
          class="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs font-semibold leading-5 text-white tabular-nums"
        >
          {unread > 99 ? "99+" : unread}
        </span>
      )}
    </a>
  );
}
