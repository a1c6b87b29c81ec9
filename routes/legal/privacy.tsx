import { define, setMeta } from "../_define.ts";
import { page, type RouteConfig } from "../../lib/define.ts";
import { formatDate } from "../../services/time.ts";
import { describeRetention } from "../../services/retention.ts";

/** Public and identical for everyone: cached whole until site content changes. */
export const config: RouteConfig = { cache: { tags: ["site"] } };

/** Change with the text. */
const LAST_UPDATED = new Date("2026-12-07T00:00:00Z");

/**
 * What we store, why, on which legal basis (GDPR art. 6) and for how long. Every period comes from
 * services/retention.ts, which the pruning jobs read too (tests/retention_test.ts holds them together).
 */
const RECORDS = [
  {
    what: "Account data",
    details:
      "Email, password hash (never the password), name, country, time zone, role, email verification, " +
      "two-factor settings (the secret is encrypted) and your login sessions with their IP address and browser.",
    why: "To run your account and keep it secure. Basis: contract; security is our legitimate interest.",
    kept: "While your account is open; erasing it anonymises all of this at once. Login sessions: " +
      `${describeRetention("sessions")}.`,
  },
  {
    what: "Trading data",
    details:
      "Challenges and their status, simulated accounts, trades, equity and rule-engine verdicts with " +
      "the evidence behind them, payouts.",
    why:
      "To evaluate your challenge, explain every verdict and pay profit shares. Basis: contract; payouts also " +
      "legal obligation.",
    kept: "While your account is open, then, linked to the anonymised account, " +
      `${describeRetention("financialRecords")} (accounting and dispute records).`,
  },
  {
    what: "Identity documents (KYC)",
    details:
      "The documents you upload to verify your identity before a payout, kept in private storage and " +
      "opened only through short-lived signed links by staff who review them.",
    why: "To confirm who receives money. Basis: legal obligation (anti-money-laundering rules).",
    kept: `${describeRetention("kycDocuments")} (the end of our business relationship), as ` +
      "anti-money-laundering law requires.",
  },
  {
    what: "Audit and security logs",
    details:
      "Sign-ins, failed attempts, password and 2FA changes, refused requests and staff actions, with " +
      "time, IP address and browser.",
    why: "To detect and investigate abuse and account takeover. Basis: legitimate interest (security).",
    kept: `${describeRetention("auditLog")}. Erasing your account removes your email address from them, ` +
      "and the IP address and browser from the entries of what you did.",
  },
  {
    what: "Mail log",
    details:
      "Every email we send you (address, subject, content, delivery result), such as verification links, " +
      "password resets and account notices.",
    why: "To prove delivery and help you when mail goes missing. Basis: contract and legitimate interest.",
    kept: `${describeRetention("mailOutbox")}. Erasing your account removes the address and content of ` +
      "mails to you.",
  },
];

export const handler = define.handlers({
  GET(ctx) {
    setMeta(
      ctx.state,
      "Privacy policy",
      "What personal data PropTrade Pro stores — account, trading, identity documents, security logs, mail — " +
        "why, for how long, your GDPR rights, cookies and how to contact us.",
    );
    return page({ privacy: ctx.state.deps.config.privacyEmail });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1>Privacy policy</h1>
    <p class="text-sm text-muted">Last updated {formatDate(LAST_UPDATED)}</p>
    <p>
      PropTrade Pro is the controller of the personal data described here, under the EU General Data
      Protection Regulation (GDPR). We collect only what we need to run evaluations, pay traders and keep
      accounts secure, and we never sell personal data.
    </p>

    <h2>What we store, why and for how long</h2>
    {RECORDS.map((r) => (
      <section key={r.what} aria-labelledby={slug(r.what)}>
        <h3 id={slug(r.what)} class="mt-6 text-lg font-semibold">{r.what}</h3>
        <dl class="mt-2 grid gap-x-6 gap-y-1 sm:grid-cols-[8rem_1fr]">
          <dt class="font-semibold">What</dt>
          <dd>{r.details}</dd>
          <dt class="font-semibold">Why</dt>
          <dd>{r.why}</dd>
          <dt class="font-semibold">Kept</dt>
          <dd>{r.kept}</dd>
        </dl>
      </section>
    ))}

    <h2>Who else sees it</h2>
    <p>
      Only processors we need to provide the service, bound by data-processing agreements: hosting and
      storage, email delivery, the payment provider (which handles your card details; we never see them) and
      the trading-platform provider. Where data leaves the European Economic Area, it is protected by the
      European Commission's standard contractual clauses.
    </p>

    <h2>Cookies</h2>
    <p>
      We use only{" "}
      <strong>strictly necessary cookies</strong>: two session cookies that keep you signed in (a short-lived
      access token and a refresh token, at most 30 days). They are HttpOnly, sent only to this site, and set
      only when you sign in. We use no analytics, advertising or tracking cookies and no third-party scripts,
      so there is no cookie banner: strictly necessary cookies need no consent.
    </p>

    <h2>Your rights</h2>
    <ul>
      <li>Access: get a copy of the personal data we hold about you.</li>
      <li>Rectification: correct data that is wrong or incomplete.</li>
      <li>Erasure: have your data deleted where we are not required by law to keep it.</li>
      <li>Restriction and objection: limit or object to processing based on our legitimate interest.</li>
      <li>Portability: receive the data you gave us in a machine-readable format.</li>
      <li>
        Complaint: lodge a complaint with the data-protection authority of your country of residence or work.
      </li>
    </ul>
    <p>
      Signed in, you can download all of your data as a JSON file or erase your account yourself, on{" "}
      <a href="/account/data">Your data</a>. We answer other requests within one month and may ask you to
      confirm your identity first.
    </p>

    <h2>Security</h2>
    <p>
      Passwords are hashed with Argon2id, two-factor secrets are encrypted at rest, connections are encrypted,
      and identity documents are reachable only through signed links that expire after a short time.
    </p>

    <h2>Contact</h2>
    <p>
      For any privacy question or to exercise your rights, write to{" "}
      <a href={`mailto:${data.privacy}`}>{data.privacy}</a>.
    </p>
  </>
));

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
}
