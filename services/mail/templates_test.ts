import assert from "node:assert/strict";
import {
  changeEmailMail,
  escapeHtml,
  passwordChangedMail,
  registrationAttemptMail,
  resetPasswordMail,
  twoFactorChangedMail,
  verifyEmailMail,
} from "./templates.ts";

const APP = "https://app.proptrade.test";
const SUPPORT = "help@proptrade.test";

Deno.test("templates: links carry the URL-encoded token, in text and HTML", () => {
  const token = 'a&b"<c>/?=#%+ d';
  const encoded = "a%26b%22%3Cc%3E%2F%3F%3D%23%25%2B%20d";
  const cases = [
    [verifyEmailMail(APP, token, "Jane"), `${APP}/verify-email?token=${encoded}`],
    [resetPasswordMail(APP, token), `${APP}/reset-password?token=${encoded}`],
    [changeEmailMail(APP, token), `${APP}/confirm-email?token=${encoded}`],
  ] as const;
  for (const [mail, link] of cases) {
    assert.ok(mail.text.includes(`\n${link}\n`), `the text has the link on its own line:\n${mail.text}`);
    // In HTML the link is an attribute value and text: `&` would be escaped, but none is left after encoding.
    assert.ok(mail.html.includes(`href="${link}"`), link);
    assert.ok(!mail.text.includes(token) && !mail.html.includes(token), "the raw token never appears");
  }
  // A typical base64url token stays readable, and a trailing slash on appUrl does not double up.
  assert.match(
    verifyEmailMail(`${APP}/`, "Zx_9-abc", "J").text,
    /https:\/\/app\.proptrade\.test\/verify-email\?token=Zx_9-abc\n/,
  );
});

Deno.test("templates: a hostile name is escaped in HTML and flattened everywhere", () => {
  const name = `<script>alert("x")</script> & <img src=x onerror=alert(1)>`;
  const mail = verifyEmailMail(APP, "t", name);
  assert.ok(!mail.html.includes("<script>"), "no script tag");
  assert.ok(!mail.html.includes("<img"), "no injected element");
  assert.ok(mail.html.includes("Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x"));
  // Plain text needs no escaping; the 58-character name is cut to 50 with an ellipsis.
  assert.ok(mail.text.startsWith(`Hi <script>alert("x")</script> & <img src=x onerror=…,\n`), mail.text);

  const phishing = verifyEmailMail(
    APP,
    "t",
    "Eve\r\n\r\nYour account is LOCKED.\nCall +1 555 0100 now\u2028!",
  );
  assert.ok(
    phishing.text.startsWith("Hi Eve Your account is LOCKED. Call +1 555 0100 now !,\n"),
    phishing.text,
  );
  assert.equal(
    phishing.subject,
    "Confirm your email address for PropTrade Pro",
    "names never reach a header",
  );

  const long = verifyEmailMail(APP, "t", "A".repeat(500));
  assert.ok(long.text.startsWith(`Hi ${"A".repeat(49)}…,`));
  assert.ok(
    verifyEmailMail(APP, "t", " \n\t ").text.startsWith("Hello,\n"),
    "an empty name gets no greeting",
  );
});

Deno.test("templates: every mail has a subject, text and an HTML document", () => {
  const all = [
    verifyEmailMail(APP, "t", "Jane"),
    resetPasswordMail(APP, "t"),
    changeEmailMail(APP, "t"),
    passwordChangedMail(SUPPORT),
    twoFactorChangedMail(true, SUPPORT),
    twoFactorChangedMail(false, SUPPORT),
  ];
  for (const mail of all) {
    assert.ok(mail.subject.length > 0 && !/[\r\n]/.test(mail.subject), mail.subject);
    assert.ok(mail.text.endsWith("— PropTrade Pro\n"), mail.text);
    assert.match(mail.html, /^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
    assert.ok(mail.html.includes(`<title>${escapeHtml(mail.subject)}</title>`));
  }
  assert.match(twoFactorChangedMail(true, SUPPORT).subject, /turned on/);
  assert.match(twoFactorChangedMail(false, SUPPORT).subject, /turned off/);
  assert.match(twoFactorChangedMail(false, SUPPORT).text, /If you did not turn it off/);
  assert.match(resetPasswordMail(APP, "t").text, /30 minutes/);
  assert.match(passwordChangedMail(SUPPORT).text, /If it was not, reset your password/);
  // The warnings of a possible takeover name the configured support address, in both parts.
  for (const mail of [passwordChangedMail(SUPPORT), twoFactorChangedMail(false, SUPPORT)]) {
    assert.ok(mail.text.includes(`write to ${SUPPORT}.`), mail.text);
    assert.ok(mail.html.includes(`write to ${SUPPORT}.`), mail.html);
  }
});

Deno.test("escapeHtml escapes the five characters that matter, and only those", () => {
  assert.equal(
    escapeHtml(`<a href='x' title="y">Tom & Jerry</a> ✓`),
    "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;Tom &amp; Jerry&lt;/a&gt; ✓",
  );
});

Deno.test("templates: every mail with a one-time link carries a copy without it for the outbox", () => {
  const token = "tok_SECRET-123";
  for (
    const mail of [
      verifyEmailMail(APP, token, "Jane"),
      resetPasswordMail(APP, token),
      changeEmailMail(APP, token),
    ]
  ) {
    assert.ok(mail.redacted, mail.subject);
    assert.ok(mail.text.includes(token), "the recipient's copy has the link");
    assert.ok(!mail.redacted.text.includes(token) && !mail.redacted.html.includes(token), mail.subject);
    assert.ok(mail.redacted.text.includes("[link removed — sent only to the recipient]"));
    assert.ok(mail.redacted.html.includes("[link removed — sent only to the recipient]"));
  }
  for (const mail of [passwordChangedMail(SUPPORT), twoFactorChangedMail(true, SUPPORT)]) {
    assert.equal(mail.redacted, undefined, "nothing secret, nothing to redact");
  }
});

Deno.test("the sign-up mails carry `next` on, encoded, so a visitor on the way to a checkout gets back there", () => {
  const next = "/checkout/abc?x=1&y=2";
  const verify = verifyEmailMail(APP, "tok", "Jane", next).text;
  assert.ok(verify.includes(`${APP}/verify-email?token=tok&next=${encodeURIComponent(next)}`), verify);
  const attempt = registrationAttemptMail(APP, next).text;
  assert.ok(attempt.includes(`${APP}/signin?next=${encodeURIComponent(next)}`), attempt);
  assert.ok(registrationAttemptMail(APP).text.includes(`sign in at ${APP}/signin,`));
});
