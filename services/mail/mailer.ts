/**
 * The mail contract. Every mail is recorded in `mail_outbox` first (the delivery log, without one-time
 * links); SMTP, when configured, delivers it, and in development the console shows it in full. See `mod.ts`
 * for the wiring.
 */

/** One message to one recipient. `text` is required: some clients show nothing else, and tests read it. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * What the outbox keeps instead of `text` and `html` when the mail carries a secret (a one-time link): the
   * same mail with the secret replaced by {@link REDACTED_LINK}. Staff read the outbox, so a secret stored
   * there would let them act as the recipient (reset the admin's password, for one). Only the recipient gets
   * the secret: through SMTP, or on the development console.
   */
  redacted?: { text: string; html?: string };
}

/** What stands in for a one-time link in every stored copy of a mail. */
export const REDACTED_LINK = "[link removed — sent only to the recipient]";

export interface Mailer {
  /**
   * Records `mail` in the outbox and, with SMTP, delivers it. Resolves once the SMTP server accepted the
   * message; rejects with `MailDeliveryError` if it did not (the outbox row then carries the error).
   */
  send(mail: Mail): Promise<void>;
}

/** Where a mailer prints development mail (the process log at `info`). */
export type MailLogger = (message: string) => void;

/** Delivery failed; `message` names the recipient and the server (never its password). */
export class MailDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MailDeliveryError";
  }
}

const LINE_BREAK = /[\r\n]/;
/** Deliberately loose (one `@`, no spaces, something on both sides): validation of input happens earlier. */
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

/**
 * Refuses a mail that could not be sent as meant: a header value with a line break (header injection), or
 * a `to` that is not one bare address (a list or a display name would send where the caller did not intend).
 */
export function assertMail(mail: Mail): void {
  if (!ADDRESS.test(mail.to)) {
    throw new TypeError(
      `Mail "to" must be one bare address like "jane@example.com", got ${JSON.stringify(mail.to)}`,
    );
  }
  if (LINE_BREAK.test(mail.subject)) throw new TypeError("Mail subject must not contain line breaks.");
  if (!mail.subject.trim()) throw new TypeError("Mail subject must not be empty.");
}
