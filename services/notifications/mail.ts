/**
 * Mail of notifications. Whether a notification is mailed is decided in the transaction that adds it (the
 * user's preference for its type: `mail_state` `pending` or `none`); the dispatcher here sends pending ones
 * after commit, so a rolled-back change never mails and a committed one is mailed once: a row is claimed
 * (`sending`, SKIP LOCKED, so processes share the queue) before it is sent, then stamped `sent` or `failed`.
 * A process that dies between claim and stamp leaves the row `sending`: at most once, never twice.
 */
import type { Deps } from "../deps.ts";
import { notificationMail } from "../mail/templates.ts";
import { startPeriodic } from "../periodic.ts";
import { reportTo } from "../log.ts";

type MailDeps = Pick<Deps, "db" | "mailer" | "config">;

/** Sends up to `limit` pending notification mails; returns how many were claimed. */
export async function deliverNotificationMails(deps: MailDeps, limit = 50): Promise<number> {
  const claimed = await deps.db.sql<
    { id: string; title: string; body: string; account_id: string | null; email: string }[]
  >`
    update notifications n set mail_state = 'sending'
    from (select id from notifications where mail_state = 'pending' order by created_at
          limit ${limit} for update skip locked) p, users u
    where n.id = p.id and u.id = n.user_id
    returning n.id, n.title, n.body, n.account_id, u.email`;
  for (const row of claimed) {
    let state = "sent";
    try {
      await deps.mailer.send({
        to: row.email,
        ...notificationMail(deps.config.appUrl, {
          title: row.title,
          body: row.body,
          accountId: row.account_id,
        }),
      });
    } catch (error) {
      state = "failed";
      reportTo("notifications")(`mailing notification ${row.id} failed`, error);
    }
    await deps.db.sql`update notifications set mail_state = ${state} where id = ${row.id}`;
  }
  return claimed.length;
}

/** Runs the dispatcher every `intervalMs` (default 2 s) until the returned `stop`. */
export function startNotificationMailer(
  deps: MailDeps,
  opts: { intervalMs?: number } = {},
): () => Promise<void> {
  return startPeriodic(async () => {
    while (await deliverNotificationMails(deps) > 0) { /* drain */ }
  }, {
    intervalMs: opts.intervalMs ?? 2000,
    log: reportTo("notifications"),
    failure: "delivering notification mails failed; retrying",
  });
}
