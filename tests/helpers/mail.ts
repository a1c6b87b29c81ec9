/**
 * The recipients' side of mail in tests. The outbox keeps a redacted copy of every mail (no one-time links:
 * staff can read it), so tests read the mail as delivered here instead: a mailer that hands each mail to the
 * app's real mailer (outbox, SMTP) and keeps the full message in memory, as the recipient's inbox would.
 */
import type { Mail, Mailer } from "../../services/mail/mailer.ts";

export class TestInbox implements Mailer {
  /** Every mail delivered, oldest first, as the recipient got it. */
  readonly mails: Mail[] = [];

  constructor(readonly inner: Mailer) {}

  async send(mail: Mail): Promise<void> {
    await this.inner.send(mail);
    this.mails.push(mail);
  }

  /** The newest mail to `to` (case-insensitive); throws when there is none. */
  latestTo(to: string): Mail {
    const mail = this.mails.findLast((m) => m.to.toLowerCase() === to.toLowerCase());
    if (!mail) throw new Error(`no mail to ${to}; mails to: ${this.mails.map((m) => m.to).join(", ")}`);
    return mail;
  }

  /** The link to `path` (e.g. "/verify-email") in the newest mail to `to` that has one, as path and query. */
  linkIn(to: string, path: string): string {
    const pattern = new RegExp(`https?://[^\\s/]+(${path}\\?token=[^\\s"<]+)`);
    for (const mail of this.mails.toReversed()) {
      if (mail.to.toLowerCase() !== to.toLowerCase()) continue;
      const link = pattern.exec(mail.text)?.[1];
      if (link) return link;
    }
    throw new Error(`no ${path} link in any mail to ${to}`);
  }

  /** The (decoded) token of the link to `path` in the newest mail to `to`. */
  tokenIn(to: string, path: string): string {
    return decodeURIComponent(/token=([^\s&"<]+)/.exec(this.linkIn(to, path))![1]);
  }
}
