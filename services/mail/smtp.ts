/**
 * Delivery over SMTP (nodemailer), configured by one URL: `smtp://user:pass@host:587` (STARTTLS when the
 * server offers it, required when credentials would otherwise cross the network in clear) or
 * `smtps://user:pass@host:465` (TLS from the start). User and password are percent-decoded, so a password
 * with `@` or `/` is written `%40`, `%2F`. A `?from=` parameter sets the sender address.
 */
import nodemailer from "nodemailer";
import type { Db } from "../../db/client.ts";
import { assertMail, type Mail, MailDeliveryError, type Mailer } from "./mailer.ts";
import { markFailed, markSent, recordMail } from "./outbox.ts";

/** The transport options nodemailer gets from an SMTP URL, plus what is ours to know. */
interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (`smtps:`), rather than STARTTLS after the greeting. */
  secure: boolean;
  /** Refuse to continue without STARTTLS: set when credentials would otherwise go out in clear. */
  requireTLS: boolean;
  auth: { user: string; pass: string } | undefined;
  /** The `from` query parameter, if any. */
  from: string | undefined;
  /** The URL without its password, for messages and logs. */
  redacted: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Parses `SMTP_URL`; throws a TypeError naming the expected shape when it is not one. */
export function parseSmtpUrl(url: string): SmtpSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError("SMTP URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465");
  }
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") {
    throw new TypeError(`SMTP URL must start with smtp:// or smtps://, got ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new TypeError("SMTP URL has no host: smtp://user:pass@host:587");
  const secure = parsed.protocol === "smtps:";
  const auth = parsed.username
    ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) }
    : undefined;
  const redacted = new URL(parsed);
  if (redacted.password) redacted.password = "***";
  redacted.search = "";
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && auth !== undefined && !LOOPBACK.has(parsed.hostname),
    auth,
    from: parsed.searchParams.get("from") ?? undefined,
    redacted: redacted.toString(),
  };
}

export interface SmtpMailerOptions {
  db: Db;
  url: string;
  /** The sender, e.g. `PropTrade Pro <no-reply@proptrade.example>`; overrides the URL's `from`. */
  from?: string;
}

/**
 * Records each mail in the outbox, delivers it, then stamps the row: `sent_at` on success, `error` on
 * failure (and rethrows as `MailDeliveryError`). Timeouts are short because a send usually happens while a
 * user waits for a page (sign-up, password reset); nodemailer's defaults would hold it for minutes.
 */
export class SmtpMailer implements Mailer {
  readonly #db: Db;
  readonly #settings: SmtpSettings;
  readonly #from: string;
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(options: SmtpMailerOptions) {
    this.#db = options.db;
    this.#settings = parseSmtpUrl(options.url);
    this.#from = options.from ?? this.#settings.from ?? defaultFrom(this.#settings);
    const { host, port, secure, requireTLS, auth } = this.#settings;
    this.#transport = nodemailer.createTransport({
      host,
      port,
      secure,
      requireTLS,
      auth,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** The sender address mails go out with. */
  get from(): string {
    return this.#from;
  }

  async send(mail: Mail): Promise<void> {
    assertMail(mail);
    const id = await recordMail(this.#db.sql, mail);
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
      });
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      const message = `Could not deliver mail to ${mail.to} via ${this.#settings.redacted}: ${reason}`;
      await markFailed(this.#db.sql, id, message);
      throw new MailDeliveryError(message, { cause: error });
    }
    await markSent(this.#db.sql, id);
  }

  /** Closes idle connections (a non-pooled transport holds none between sends). */
  close(): void {
    this.#transport.close();
  }
}

/** A fallback sender: the SMTP user when it is an address (Gmail, Microsoft 365), else no-reply@host. */
function defaultFrom(settings: SmtpSettings): string {
  const address = settings.auth?.user.includes("@") ? settings.auth.user : `no-reply@${settings.host}`;
  return `PropTrade Pro <${address}>`;
}
