/**
 * Adding a notification, in the transaction of the change that caused it, and publishing it after commit.
 *
 * Exactly once: each notification has a `dedupe_key` unique per user, so a retried transaction or a change
 * seen twice adds nothing. Its `seq` is the user's next number, taken from their `notification_counters` row
 * in the same statement — only when the key is new, so the numbers have no gaps (what lets the user stream
 * resume exactly, see services/live/user_stream_id.ts).
 */
import type { Tx } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import { userChannel } from "../accounts/change_log.ts";
import { log } from "../log.ts";
import { notificationJson, type NotificationRow } from "./queries.ts";
import type { NotificationType, PublishedNotification } from "./types.ts";

export interface NewNotification {
  userId: string;
  type: NotificationType;
  accountId: string | null;
  /** What makes it once per user (e.g. `<account>:breach:<version>`). */
  dedupeKey: string;
  title: string;
  body: string;
}

/** Adds `n` unless its key was added before; returns what to publish after commit (null: nothing new). */
export async function addNotification(tx: Tx, n: NewNotification): Promise<PublishedNotification | null> {
  // The counter row is the per-user lock: concurrent transactions number their notifications in commit order.
  const rows = await tx<(NotificationRow & { unread: number })[]>`
    with next as (
      insert into notification_counters as c (user_id, seq) values (${n.userId}, 1)
      on conflict (user_id) do update set seq = c.seq + 1
        where not exists (select 1 from notifications where user_id = ${n.userId} and dedupe_key = ${n.dedupeKey})
      returning seq
    ), added as (
      insert into notifications (user_id, seq, type, account_id, dedupe_key, title, body)
      select ${n.userId}, next.seq, ${n.type}, ${n.accountId}, ${n.dedupeKey}, ${n.title}, ${n.body} from next
      on conflict (user_id, dedupe_key) do nothing
      returning id, seq, type, account_id, title, body, created_at, read_at
    )
    select added.*,
           (select count(*)::int from notifications where user_id = ${n.userId} and read_at is null) + 1
             as unread
    from added`;
  const row = rows[0];
  if (!row) return null;
  return { seq: Number(row.seq), notification: { ...notificationJson(row), unread: row.unread } };
}

/** Publishes committed notifications on their user's channel; best-effort like `publishChange`. */
export async function publishNotifications(
  bus: Bus,
  userId: string,
  published: readonly PublishedNotification[],
): Promise<void> {
  for (const message of published) {
    await bus.publish(userChannel(userId), message).catch((error) =>
      log.error("publishing a notification failed", {
        scope: "notifications",
        userId,
        seq: message.seq,
        error,
      })
    );
  }
}
