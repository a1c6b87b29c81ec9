/**
 * The notifications of a committed account change, added in the change's own transaction (called from
 * `recordChange`, so every writer of the change log — sync, resets, lifecycle, admin, purchases — derives
 * them the same way). A retried transaction or a change seen twice adds nothing (dedupe keys).
 */
import type { Tx } from "../../db/client.ts";
import { type ChangeFacts, type Limits, notificationsOf } from "./derive.ts";
import { addNotification } from "./store.ts";
import type { PublishedNotification } from "./types.ts";

/** Adds what `change` causes; returns the new notifications, to publish after commit (oldest first). */
export async function recordNotifications(
  tx: Tx,
  change: ChangeFacts,
  limits?: Limits,
): Promise<PublishedNotification[]> {
  const derived = notificationsOf(change, limits);
  const added: PublishedNotification[] = [];
  // One at a time: each takes the user's next number.
  for (const n of derived) {
    const published = await addNotification(tx, {
      userId: change.account.userId,
      type: n.type,
      accountId: change.accountId,
      dedupeKey: n.key,
      unless: n.unless,
      title: n.title,
      body: n.body,
    });
    if (published) added.push(published);
  }
  return added;
}
