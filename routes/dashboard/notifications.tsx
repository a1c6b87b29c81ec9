import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { isUuid, readForm } from "../../lib/validation.ts";
import { formatDateTime } from "../../services/time.ts";
import {
  listNotifications,
  markRead,
  parseCursor,
  unreadCount,
} from "../../services/notifications/queries.ts";
import type { NotificationJson } from "../../services/notifications/types.ts";
import { FormError, Notice, SubmitButton } from "../../components/form.tsx";
import { ZoneNote } from "../../components/date_time.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import NotificationFeed from "../../islands/notification_feed.tsx";

/** The signed-in user's notifications; signed-out visitors are sent to sign in and brought back. */
export const access = "authenticated";

const PAGE_SIZE = 20;
const NO_STORE = { "cache-control": "no-store" };

interface Data {
  notifications: NotificationJson[];
  nextCursor: string | null;
  /** The cursor of this page (null: the newest). */
  cursor: string | null;
  unread: number;
  timeZone: string;
  marked: string | null;
  error: string | null;
}

async function load(ctx: Context<SignedInState>, error?: string): Promise<Data> {
  setMeta(ctx.state, "Notifications", "Breaches, pauses, passed phases and limit warnings of your accounts.");
  const { deps, user } = ctx.state;
  const cursorParam = ctx.url.searchParams.get("cursor");
  const cursor = parseCursor(cursorParam) === null ? null : cursorParam;
  const [list, unread] = await Promise.all([
    listNotifications(deps.db.sql, user.id, { cursor, limit: PAGE_SIZE }),
    unreadCount(deps.db.sql, user.id),
  ]);
  return {
    ...list,
    cursor,
    unread,
    timeZone: user.timeZone,
    marked: ctx.url.searchParams.get("marked"),
    error: error ?? null,
  };
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return page(await load(ctx), { headers: NO_STORE });
  },

  /** Mark one (`intent=read`, `id`) or all (`intent=read-all`) read, then back to the same page (303). */
  async POST(ctx) {
    const form = await readForm(ctx.req);
    const { deps, user } = ctx.state;
    let marked: string;
    if (form.intent === "read-all") {
      await markRead(deps.db.sql, user.id, "all");
      marked = "all";
    } else if (form.intent === "read" && isUuid(form.id ?? "")) {
      await markRead(deps.db.sql, user.id, { ids: [form.id] });
      marked = "one";
    } else {
      return page(await load(ctx, "That form could not be understood: use the page's buttons."), {
        status: 422,
        headers: NO_STORE,
      });
    }
    const cursor = ctx.url.searchParams.get("cursor");
    const back = `/dashboard/notifications?marked=${marked}${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
    }`;
    return new Response(null, { status: 303, headers: { location: back, ...NO_STORE } });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const action = data.cursor ? `?cursor=${encodeURIComponent(data.cursor)}` : "";
  return (
    <div class="container-page py-12">
      <div class="flex flex-wrap items-center justify-between gap-4">
        <div class="flex items-center gap-3">
          <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Notifications</h1>
        </div>
        <div class="flex flex-wrap items-center gap-3">
          <a class="text-sm font-semibold underline" href="/account/notifications">Mail settings</a>
          {data.unread > 0 && (
            <form method="post" action={`/dashboard/notifications${action}`}>
              <SubmitButton intent="read-all" variant="secondary">Mark all read</SubmitButton>
            </form>
          )}
        </div>
      </div>
      <DashboardNav current="/dashboard/notifications" class="mt-4" />
      <ZoneNote zone={data.timeZone} class="mt-2" />
      <div class="mt-4 max-w-3xl space-y-4">
        {data.error && <FormError>{data.error}</FormError>}
        {data.marked && (
          <Notice>{data.marked === "all" ? "All notifications marked read." : "Marked read."}</Notice>
        )}
        <NotificationFeed empty={data.notifications.length === 0 && !data.cursor} />
      </div>

      {(data.notifications.length > 0 || data.cursor) && (
        <section aria-labelledby="list-h" class="mt-8 max-w-3xl">
          <h2 id="list-h" class="sr-only">All notifications, newest first</h2>
          <ul class="space-y-3">
            {data.notifications.map((n) => (
              <li
                key={n.id}
                class={`card ${n.readAt ? "" : "border-brand/60"}`}
                data-read={n.readAt ? "true" : "false"}
              >
                <div class="flex flex-wrap items-start justify-between gap-3">
                  <div class="min-w-0">
                    <p class="font-semibold">
                      {!n.readAt && (
                        <span class="mr-2 rounded-full bg-brand/15 px-2 py-0.5 text-xs font-semibold">
                          Unread
                        </span>
                      )}
                      {n.title}
                    </p>
                    <p class="mt-1 text-sm text-muted">{n.body}</p>
                    <p class="mt-2 text-xs text-muted">
                      <time datetime={n.createdAt}>
                        {formatDateTime(new Date(n.createdAt), data.timeZone)}
                      </time>
                      {n.accountId && (
                        <>
                          {" · "}
                          <a class="font-semibold underline" href={`/dashboard/accounts/${n.accountId}`}>
                            Open the account
                          </a>
                        </>
                      )}
                    </p>
                  </div>
                  {!n.readAt && (
                    <form method="post" action={`/dashboard/notifications${action}`}>
                      <input type="hidden" name="id" value={n.id} />
                      <SubmitButton intent="read" variant="secondary" class="px-3 py-1.5 text-sm">
                        Mark read
                      </SubmitButton>
                    </form>
                  )}
                </div>
              </li>
            ))}
          </ul>
          <nav aria-label="Pages" class="mt-6 flex gap-4 text-sm font-semibold">
            {data.cursor && <a class="underline" href="/dashboard/notifications">Newest</a>}
            {data.nextCursor && (
              <a class="underline" href={`/dashboard/notifications?cursor=${data.nextCursor}`}>Older</a>
            )}
          </nav>
        </section>
      )}
    </div>
  );
});
