/**
 * Reading a user's notifications: the bell's count, the list (newest first, keyset pages), marking read,
 * and what the user stream replays (`notificationsAfter`, oldest first by the per-user `seq`).
 */
import type { Sql } from "../../db/client.ts";
import type { NotificationJson, NotificationMessage, NotificationType } from "./types.ts";

export interface NotificationRow {
  id: string;
  seq: string | number;
  type: NotificationType;
  account_id: string | null;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

export function notificationJson(row: NotificationRow): NotificationJson {
  return {
    id: row.id,
    type: row.type,
    accountId: row.account_id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}

/** The user's unread notifications (the bell). */
export async function unreadCount(sql: Sql, userId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from notifications where user_id = ${userId} and read_at is null`;
  return row.n;
}

/**
 * The user's notification position (the last `seq` committed, 0 before the first) and unread count, read
 * in one statement so both come from the same snapshot.
 */
export async function notificationPosition(
  sql: Sql,
  userId: string,
): Promise<{ seq: number; unread: number }> {
  const [row] = await sql<{ seq: string; unread: number }[]>`
    select coalesce((select seq from notification_counters where user_id = ${userId}), 0) as seq,
           (select count(*)::int from notifications where user_id = ${userId} and read_at is null) as unread`;
  return { seq: Number(row.seq), unread: row.unread };
}

/**
 * The user's notifications with a `seq` above `after`, oldest first, at most `limit`, each with the unread
 * count as it stood once it was added (what a live frame carried) — read state as it is now.
 */
export async function notificationsAfter(
  sql: Sql,
  userId: string,
  after: number,
  limit: number,
): Promise<{ seq: number; message: NotificationMessage }[]> {
  const rows = await sql<(NotificationRow & { unread: number })[]>`
    select n.id, n.seq, n.type, n.account_id, n.title, n.body, n.created_at, n.read_at,
           (select count(*)::int from notifications u
            where u.user_id = n.user_id and u.read_at is null and u.seq <= n.seq) as unread
    from notifications n
    where n.user_id = ${userId} and n.seq > ${after}
    order by n.seq
    limit ${limit}`;
  return rows.map((row) => ({
    seq: Number(row.seq),
    message: { ...notificationJson(row), unread: row.unread },
  }));
}
