/**
 * The product's mails, each as `{ subject, text, html }` ready to spread into `Mailer.send`.
 *
 * Every interpolated value is HTML-escaped in the HTML part and every token is URL-encoded, so neither a
 * hostile name nor an odd token can change the markup or the link. Names are also flattened to one short
 * line: an attacker can sign up with someone else's address and a "name" such as "your account is locked,
 * call +1…", and that text lands in the victim's inbox under our sender.
 *
 * The lifetimes quoted come from `LIFETIME_MINUTES` in `services/auth/email_tokens.ts`.
 */
import { lifetimeText } from "../auth/email_tokens.ts";
import { REDACTED_LINK } from "./mailer.ts";

/** A rendered mail; the recipient is added by the caller. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** The copy the outbox keeps when the mail carries a one-time link (see `Mail.redacted`). */
  redacted?: { text: string; html: string };
}

const PRODUCT = "PropTrade Pro";
const MAX_NAME_LENGTH = 50;

/**
 * The mail sent after sign-up (and on "send the link again"), linking to `/verify-email?token=…`, plus
 * `&next=…` when the visitor was on the way somewhere (a checkout): confirming carries on there.
 *
 * @example
 * await mailer.send({ to: user.email, ...verifyEmailMail(config.appUrl, token, user.firstName) });
 */
export function verifyEmailMail(appUrl: string, token: string, name: string, next?: string): MailContent {
  const link = tokenLink(appUrl, "/verify-email", token) + (next ? `&next=${encodeURIComponent(next)}` : "");
  return render({
    subject: `Confirm your email address for ${PRODUCT}`,
    greeting: greeting(name),
    paragraphs: [`Welcome to ${PRODUCT}. Please confirm that this is your email address.`],
    action: { label: "Confirm my email address", url: link },
    after: [
      `The link works for ${lifetimeText("verify_email")}.`,
      "If you did not sign up, you can ignore this email: the account stays unconfirmed.",
    ],
  });
}

/**
 * Sent to the owner of an address when someone tries to sign up with it: sign-up answers as for a new
 * address (so it does not reveal who has an account), and this mail is how the owner learns of it. No token:
 * the links are the ordinary sign-in (on to `next`, if the visitor was going somewhere) and forgot-password
 * pages.
 */
export function registrationAttemptMail(appUrl: string, next?: string): MailContent {
  const base = appUrl.replace(/\/+$/, "");
  const signin = `${base}/signin${next ? `?next=${encodeURIComponent(next)}` : ""}`;
  return render({
    subject: `Someone tried to create an account with your address on ${PRODUCT}`,
    greeting: "Hello,",
    paragraphs: [
      `Someone tried to create a ${PRODUCT} account with this email address, which already has one. Nothing about your account changed.`,
      `If it was you, sign in at ${signin}, or choose a new password at ${base}/forgot-password.`,
      "If it was not you, you can ignore this email.",
    ],
  });
}

/** The password-reset mail, linking to `/reset-password?token=…`. */
export function resetPasswordMail(appUrl: string, token: string): MailContent {
  return render({
    subject: `Reset your ${PRODUCT} password`,
    greeting: "Hello,",
    paragraphs: [`Someone asked to reset the password of the ${PRODUCT} account for this email address.`],
    action: { label: "Choose a new password", url: tokenLink(appUrl, "/reset-password", token) },
    after: [
      `The link works once, for ${lifetimeText("reset_password")}.`,
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ],
  });
}

/** Sent to the *new* address when a user changes theirs, linking to `/confirm-email?token=…`. */
export function changeEmailMail(appUrl: string, token: string): MailContent {
  return render({
    subject: `Confirm your new email address for ${PRODUCT}`,
    greeting: "Hello,",
    paragraphs: [`Someone asked to use this address for their ${PRODUCT} account.`],
    action: { label: "Use this email address", url: tokenLink(appUrl, "/confirm-email", token) },
    after: [
      `The link works for ${
        lifetimeText("change_email")
      }. Until it is used, the account keeps its current address.`,
      "If you did not ask for this, ignore this email.",
    ],
  });
}

/**
 * The notice after a password change or reset: the one warning an account owner gets of a takeover, so it
 * names where to write (`support`, the configured SUPPORT_EMAIL).
 */
export function passwordChangedMail(support: string): MailContent {
  return render({
    subject: `Your ${PRODUCT} password was changed`,
    greeting: "Hello,",
    paragraphs: [
      `The password of your ${PRODUCT} account was just changed, and your other sessions were signed out.`,
      "If this was you, there is nothing more to do.",
      `If it was not, reset your password at once from the sign-in page and write to ${support}.`,
    ],
  });
}

/** The notice after two-factor authentication was turned on or off; `support` as in `passwordChangedMail`. */
export function twoFactorChangedMail(enabled: boolean, support: string): MailContent {
  return render({
    subject: `Two-factor authentication was turned ${enabled ? "on" : "off"} for your ${PRODUCT} account`,
    greeting: "Hello,",
    paragraphs: enabled
      ? [
        "Two-factor authentication is now on: signing in asks for a code from your authenticator app.",
        "Keep your recovery codes somewhere safe; they are the way in if you lose the app.",
      ]
      : [
        "Two-factor authentication is now off: signing in asks for your password only.",
        `If you did not turn it off, change your password at once and write to ${support}.`,
      ],
  });
}

/**
 * A trader notification (breach, pause, phase passed, KYC, limit warnings) as mail: its title and text, where
 * to look, and where to turn such mail off. Its links carry no secret, so the outbox keeps the mail whole.
 */
export function notificationMail(
  appUrl: string,
  n: { title: string; body: string; accountId: string | null },
): MailContent {
  const base = appUrl.replace(/\/+$/, "");
  const where = n.accountId ? `${base}/dashboard/accounts/${n.accountId}` : `${base}/dashboard/notifications`;
  return renderParts({
    subject: n.title.replace(/\s+/g, " ").trim() || `${PRODUCT} notification`,
    greeting: "Hello,",
    paragraphs: [n.body, `Open it on your dashboard: ${where}`],
    after: [`Choose which notifications reach you by mail: ${base}/account/notifications`],
  });
}

/**
 * A staff decision on the trader's identity verification (DESIGN §3.3): approved (with the number of funded
 * accounts that started trading) or rejected with the reviewer's reason, which the trader needs to fix it.
 */
export function kycDecisionMail(
  appUrl: string,
  name: string,
  decision: { approved: true; activatedAccounts: number } | { approved: false; reason: string },
): MailContent {
  const page = `${appUrl.replace(/\/+$/, "")}/dashboard/verification`;
  if (decision.approved) {
    const accounts = decision.activatedAccounts;
    return render({
      subject: `Your identity is verified — ${PRODUCT}`,
      greeting: greeting(name),
      paragraphs: [
        "We have checked your documents and your identity is now verified.",
        accounts > 0
          ? `${
            accounts === 1 ? "Your funded account is" : `Your ${accounts} funded accounts are`
          } now active: ` +
            "trading days count from today."
          : "Funded accounts you earn from now on start trading as soon as they open.",
        `Your verification status: ${page}`,
      ],
    });
  }
  return render({
    subject: `We could not verify your identity yet — ${PRODUCT}`,
    greeting: greeting(name),
    paragraphs: [
      "We have checked your documents and could not accept them, for this reason:",
      decision.reason,
      `Please upload new documents and submit them again: ${page}`,
    ],
  });
}

/** `${appUrl}${path}?token=…`, with the token URL-encoded and a trailing slash on `appUrl` tolerated. */
function tokenLink(appUrl: string, path: string, token: string): string {
  return `${appUrl.replace(/\/+$/, "")}${path}?token=${encodeURIComponent(token)}`;
}

/** "Hi Jane," — or "Hello," when the name is empty once made safe. */
function greeting(name: string): string {
  const safe = oneLine(name);
  return safe ? `Hi ${safe},` : "Hello,";
}

/** Control characters and line breaks become spaces, runs of spaces one, and the result is capped. */
function oneLine(text: string): string {
  // deno-lint-ignore no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/gu, " ").trim();
  const chars = [...flat];
  return chars.length > MAX_NAME_LENGTH ? `${chars.slice(0, MAX_NAME_LENGTH - 1).join("").trimEnd()}…` : flat;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and (double- or single-quoted) attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface Parts {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** The button. Its URL is treated as a secret (every one carries a token) and kept out of the outbox. */
  action?: { label: string; url: string };
  /** Paragraphs after the button. */
  after?: string[];
}

/**
 * One layout for every mail. The HTML is a single centred column with inline styles (mail clients drop
 * `<style>` and external CSS); the link is also printed as text for clients that hide buttons.
 */
export function render(parts: Parts): MailContent {
  const mail = renderParts(parts);
  if (!parts.action) return mail;
  // Every action link here carries a one-time token: the stored copy gets the same mail without it.
  const { text, html } = renderParts({ ...parts, action: { ...parts.action, url: REDACTED_LINK } });
  return { ...mail, redacted: { text, html } };
}

function renderParts(parts: Parts): MailContent {
  const after = parts.after ?? [];
  const text = [
    parts.greeting,
    ...parts.paragraphs,
    ...(parts.action ? [`${parts.action.label}:\n${parts.action.url}`] : []),
    ...after,
    `— ${PRODUCT}`,
  ].join("\n\n") + "\n";

  const p = (t: string) => `<p style="margin:0 0 16px">${escapeHtml(t)}</p>`;
  const action = parts.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#1d4ed8;` +
      `color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">` +
      `${escapeHtml(parts.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#4b5563">Or open this link: ` +
      `<a href="${escapeHtml(parts.action.url)}" style="color:#1d4ed8;word-break:break-all">` +
      `${escapeHtml(parts.action.url)}</a></p>`
    : "";
  const html = [
    `<!doctype html>`,
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(parts.subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f3f4f6;font-family:-apple-system,Segoe UI,Roboto,` +
    `Helvetica,Arial,sans-serif;color:#111827;line-height:1.5">`,
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">`,
    `<p style="margin:0 0 24px;font-weight:600;font-size:18px">${escapeHtml(PRODUCT)}</p>`,
    p(parts.greeting),
    ...parts.paragraphs.map(p),
    action,
    ...after.map(p),
    `</div></body></html>`,
  ].join("\n");

  return { subject: parts.subject, text, html };
}
