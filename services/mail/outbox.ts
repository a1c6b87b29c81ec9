/**
 * `mail_outbox`: every mail the product sends, newest first, as a copy staff may read: one-time links are
 * removed before a mail is stored (see `storedCopy`). With SMTP it is the delivery log (`sent_at` or
 * `error`); without, the mail itself only reaches the development console.
 */
import type { Db, Sql } from "../../db/client.ts";
import { assertMail, type Mail, type Mailer, type MailLogger, REDACTED_LINK } from "./mailer.ts";

/** The pool, or the transaction whose change the mail belongs to. */
/** One outbox row. `sentAt` and `error` are both null while delivery is pending or when there is no SMTP. */
interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  createdAt: Date;
  sentAt: Date | null;
  error: string | null;
}

interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  created_at: Date;
  sent_at: Date | null;
  error: string | null;
}

/** Errors are stored for people to read; a multi-kilobyte stack would only bloat the table. */
const MAX_ERROR_LENGTH = 1000;
/** The most rows one listing returns, whatever is asked. */
const MAX_OUTBOX_LIMIT = 500;

/**
 * A link whose query carries a token (`?token=…`, `&code=…`): the last line of defence should a new mail
 * forget to say what its secret is. Matches up to the first space, quote or angle bracket.
 */
const TOKEN_LINK = /\bhttps?:\/\/[^\s"'<>]*[?&](?:token|code|key|secret)=[^\s"'<>]*/gi;

/**
 * The copy of `mail` staff may read: its `redacted` form when it has one, and in any case every link that
 * carries a token replaced by {@link REDACTED_LINK}. The full mail goes only to its recipient.
 */
function storedCopy(mail: Mail): { text: string; html: string | null } {
  const text = mail.redacted?.text ?? mail.text;
  const html = mail.redacted ? mail.redacted.html ?? null : mail.html ?? null;
  return {
    text: text.replace(TOKEN_LINK, REDACTED_LINK),
    html: html?.replace(TOKEN_LINK, REDACTED_LINK) ?? null,
  };
}

/** Inserts the stored copy of `mail` (see {@link storedCopy}); returns the row's id. */
export async function recordMail(sql: Sql, mail: Mail): Promise<string> {
  const { text, html } = storedCopy(mail);
  const [row] = await sql<{ id: string }[]>`
    insert into mail_outbox (to_address, subject, text_body, html_body)
    values (${mail.to}, ${mail.subject}, ${text}, ${html})
    returning id`;
  return row.id;
}

export async function markSent(sql: Sql, id: string): Promise<void> {
  await sql`update mail_outbox set sent_at = now(), error = null where id = ${id}`;
}

export async function markFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql`update mail_outbox set error = ${error.slice(0, MAX_ERROR_LENGTH)} where id = ${id}`;
}

/**
 * The newest mails, to one address (case-insensitive, as addresses are compared everywhere) or to anyone.
 * `limit` is clamped to 1…500.
 *
 * @example
 * const mails = await listOutbox(db, { to: "jane@example.com", limit: 20 });
 */
export async function listOutbox(db: Db, options: { to?: string; limit: number }): Promise<OutboxMail[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), MAX_OUTBOX_LIMIT);
  const rows = options.to === undefined
    ? await db.sql<OutboxRow[]>`
        select * from mail_outbox order by created_at desc, seq desc limit ${limit}`
    : await db.sql<OutboxRow[]>`
        select * from mail_outbox where lower(to_address) = lower(${options.to})
        order by created_at desc, seq desc limit ${limit}`;
  return rows.map(fromRow);
}

/** The newest mail to `to` (case-insensitive), or null. Its links are redacted (tests read `TestInbox`). */
export async function latestMailTo(db: Db, to: string): Promise<OutboxMail | null> {
  return (await listOutbox(db, { to, limit: 1 }))[0] ?? null;
}

function fromRow(row: OutboxRow): OutboxMail {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    error: row.error,
  };
}

/**
 * The mailer without SMTP: the outbox keeps the redacted copy. With `print` (development), each mail is also
 * shown in full on the console, so a developer can follow a verification or reset link.
 */
export class OutboxMailer implements Mailer {
  readonly #db: Db;
  readonly #print: MailLogger | undefined;

  constructor(db: Db, options: { print?: MailLogger } = {}) {
    this.#db = db;
    this.#print = options.print;
  }

  async send(mail: Mail): Promise<void> {
    assertMail(mail);
    await recordMail(this.#db.sql, mail);
    this.#print?.(formatForConsole(mail));
  }
}

/** A readable block for the development console: headers and the text part (which carries every link). */
function formatForConsole(mail: Mail): string {
  const rule = "─".repeat(72);
  return [rule, `To: ${mail.to}`, `Subject: ${mail.subject}`, "", mail.text.trimEnd(), rule].join("\n");
}
