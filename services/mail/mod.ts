/**
 * The mail entry point. Every mail goes to the outbox (one-time links removed: staff read it); with `SMTP_URL`
 * it is also delivered. In development without SMTP each mail is printed in full, so sign-up and reset links
 * can be followed from the terminal.
 *
 * @example
 * const mailer = createMailer({ db, smtpUrl: config.smtpUrl, env: config.env, log: (text) => log.info(text) });
 * await mailer.send({ to: user.email, ...verifyEmailMail(config.appUrl, token, user.firstName) });
 */
import type { Db } from "../../db/client.ts";
import type { Mailer, MailLogger } from "./mailer.ts";
import { OutboxMailer } from "./outbox.ts";
import { SmtpMailer } from "./smtp.ts";

export type { Mail } from "./mailer.ts";

export interface CreateMailerOptions {
  db: Db;
  smtpUrl: string | undefined;
  env: "development" | "production" | "test";
  /** Where development mail is printed. */
  log: MailLogger;
  /** The sender address; default: the SMTP URL's `?from=`, else derived from the SMTP user or host. */
  from?: string;
}

/** Picks the mailer the config names. Synchronous: nothing connects until the first send. */
export function createMailer(options: CreateMailerOptions): Mailer {
  if (options.smtpUrl) return new SmtpMailer({ db: options.db, url: options.smtpUrl, from: options.from });
  return new OutboxMailer(options.db, { print: options.env === "development" ? options.log : undefined });
}
