import assert from "node:assert/strict";
import { SMTPServer } from "../../tests/deps/smtp_server.ts";
import { openTestDb } from "../../tests/helpers/db.ts";
import { MailDeliveryError } from "./mailer.ts";
import { createMailer } from "./mod.ts";
import { latestMailTo } from "./outbox.ts";
import { parseSmtpUrl, SmtpMailer } from "./smtp.ts";
import { resetPasswordMail } from "./templates.ts";

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** A real SMTP server on a random port that keeps what it receives; `reject` makes it refuse recipients. */
async function startSmtp(options: { reject?: RegExp } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, and nodemailer must not try STARTTLS.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "p@ss/word") {
        return callback(null, { user: "mailer" });
      }
      callback(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, callback) {
      if (options.reject?.test(address.address)) {
        return callback(Object.assign(new Error("5.1.1 Mailbox does not exist"), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: new TextDecoder().decode(concat(chunks)),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** A header's value, unfolded. */
function header(raw: string, name: string): string | undefined {
  const head = raw.split("\r\n\r\n")[0].replace(/\r\n[ \t]+/g, " ");
  return head.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1).trim();
}

/** Undoes quoted-printable soft breaks and escapes (nodemailer uses it for long or non-ASCII lines). */
function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, h) => String.fromCharCode(parseInt(h, 16)),
  );
  return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}

Deno.test("smtp mailer delivers through a real SMTP server and stamps the outbox", async (t) => {
  const smtp = await startSmtp({ reject: /^nobody@/ });
  const db = await openTestDb();
  const tag = crypto.randomUUID().slice(0, 8);
  const url = `smtp://mailer:${encodeURIComponent("p@ss/word")}@127.0.0.1:${smtp.port}` +
    `?from=${encodeURIComponent("PropTrade Pro <no-reply@proptrade.test>")}`;
  const mailer = new SmtpMailer({ db, url });
  try {
    await t.step("the message arrives with its envelope, headers, text and HTML", async () => {
      const to = `jane.${tag}@example.com`;
      await mailer.send({
        to,
        subject: "Confirm your email address",
        text: "Hi Jane,\n\nOpen https://app.test/verify-email?token=abc123 to confirm.\n",
        html: '<p>Hi Jane, <a href="https://app.test/verify-email?token=abc123">confirm</a>.</p>',
      });
      assert.equal(smtp.received.length, 1);
      const [message] = smtp.received;
      assert.equal(message.user, "mailer", "authenticated with the URL's percent-decoded credentials");
      assert.deepEqual(message.to, [to]);
      assert.equal(message.from, "no-reply@proptrade.test");
      assert.equal(header(message.raw, "To"), to);
      assert.equal(header(message.raw, "From"), "PropTrade Pro <no-reply@proptrade.test>");
      assert.equal(header(message.raw, "Subject"), "Confirm your email address");
      assert.match(header(message.raw, "Content-Type")!, /^multipart\/alternative/);
      const body = decodeQuotedPrintable(message.raw);
      assert.match(body, /Content-Type: text\/plain; charset=utf-8/);
      assert.match(body, /Open https:\/\/app\.test\/verify-email\?token=abc123 to confirm\./);
      assert.match(body, /Content-Type: text\/html; charset=utf-8/);
      assert.match(body, /<a href="https:\/\/app\.test\/verify-email\?token=abc123">confirm<\/a>/);

      const row = await latestMailTo(db, to.toUpperCase());
      assert.ok(row);
      assert.equal(row.subject, "Confirm your email address");
      assert.ok(row.sentAt instanceof Date, "sent_at is set");
      assert.equal(row.error, null);
      assert.equal(row.text, "Hi Jane,\n\nOpen [link removed — sent only to the recipient] to confirm.\n");
      assert.doesNotMatch(`${row.text}${row.html}`, /abc123/, "the recipient has the token, the outbox not");
    });

    await t.step(
      "a template's reset link reaches the recipient; the outbox keeps the redacted copy",
      async () => {
        const to = `reset.${tag}@example.com`;
        await mailer.send({ to, ...resetPasswordMail("https://app.test", "secret-token-42") });
        const body = decodeQuotedPrintable(smtp.received.at(-1)!.raw);
        assert.match(body, /https:\/\/app\.test\/reset-password\?token=secret-token-42/);
        const row = (await latestMailTo(db, to))!;
        assert.match(row.text, /Choose a new password:\n\[link removed — sent only to the recipient\]\n/);
        assert.doesNotMatch(`${row.text}${row.html}`, /secret-token-42/);
      },
    );

    await t.step("non-ASCII subject and body survive the trip", async () => {
      const to = `zoe.${tag}@example.com`;
      await mailer.send({ to, subject: "Bienvenue, Zoë — ça marche", text: "Grüße aus Zürich 📈\n" });
      const message = smtp.received.at(-1)!;
      assert.match(header(message.raw, "Subject")!, /^=\?UTF-8\?/i, "RFC 2047-encoded");
      assert.match(decodeQuotedPrintable(message.raw), /Grüße aus Zürich 📈/);
    });

    await t.step("a refused recipient: MailDeliveryError, and the error is in the outbox", async () => {
      const to = `nobody@${tag}.example.com`;
      const error = await mailer.send({ to, subject: "Hello", text: "Hi" }).then(() => null, (e) => e);
      assert.ok(error instanceof MailDeliveryError, String(error));
      assert.match(
        error.message,
        new RegExp(`^Could not deliver mail to ${to} via smtp://mailer:\\*\\*\\*@127`),
      );
      assert.match(error.message, /Mailbox does not exist/);
      assert.doesNotMatch(error.message, /p@ss|p%40ss/, "the password is never in a message");
      const row = await latestMailTo(db, to);
      assert.equal(row?.sentAt, null);
      assert.equal(row?.error, error.message);
    });

    await t.step("wrong credentials fail clearly", async () => {
      const wrong = new SmtpMailer({ db, url: `smtp://mailer:nope@127.0.0.1:${smtp.port}` });
      const to = `wrong.${tag}@example.com`;
      await assert.rejects(() => wrong.send({ to, subject: "Hi", text: "Hi" }), (e: Error) => {
        assert.ok(e instanceof MailDeliveryError);
        assert.match(e.message, /Invalid username or password|Invalid login/);
        return true;
      });
      wrong.close();
      assert.match((await latestMailTo(db, to))!.error!, /^Could not deliver/);
    });

    await t.step("header injection is refused before anything is recorded or sent", async () => {
      const before = smtp.received.length;
      const to = `inject.${tag}@example.com`;
      await assert.rejects(
        () => mailer.send({ to, subject: "Hi\r\nBcc: victim@example.com", text: "x" }),
        /subject must not contain line breaks/,
      );
      await assert.rejects(
        () => mailer.send({ to: `${to}, victim@example.com`, subject: "Hi", text: "x" }),
        /must be one bare address/,
      );
      assert.equal(smtp.received.length, before);
      assert.equal(await latestMailTo(db, to), null);
    });
  } finally {
    mailer.close();
    await db.close();
    await smtp.close();
  }
});

Deno.test("smtp mailer: an unreachable server is a clear, prompt error", async () => {
  const db = await openTestDb();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const mailer = createMailer({ db, smtpUrl: `smtp://127.0.0.1:${port}`, env: "production", log: () => {} });
  try {
    const to = `down.${crypto.randomUUID().slice(0, 8)}@example.com`;
    await assert.rejects(() => mailer.send({ to, subject: "Hi", text: "Hi" }), (e: Error) => {
      assert.ok(e instanceof MailDeliveryError);
      assert.match(e.message, new RegExp(`via smtp://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      return true;
    });
    assert.match((await latestMailTo(db, to))!.error!, /ECONNREFUSED/);
  } finally {
    (mailer as SmtpMailer).close();
    await db.close();
  }
});

Deno.test("parseSmtpUrl: ports, TLS modes, credentials and sender", () => {
  assert.deepEqual(parseSmtpUrl("smtp://user:pa%40ss@smtp.example.com"), {
    host: "smtp.example.com",
    port: 587,
    secure: false,
    requireTLS: true, // credentials over the network: STARTTLS or nothing
    auth: { user: "user", pass: "pa@ss" },
    from: undefined,
    redacted: "smtp://user:***@smtp.example.com",
  });
  const smtps = parseSmtpUrl("smtps://apikey:secret@smtp.example.com?from=Desk%20%3Cdesk%40x.io%3E");
  assert.equal(smtps.port, 465);
  assert.equal(smtps.secure, true);
  assert.equal(smtps.requireTLS, false, "already TLS");
  assert.equal(smtps.from, "Desk <desk@x.io>");
  assert.equal(smtps.redacted, "smtps://apikey:***@smtp.example.com");
  assert.equal(parseSmtpUrl("smtp://mailpit:1025").requireTLS, false, "no credentials to protect");
  assert.equal(parseSmtpUrl("smtp://u:p@localhost:1025").requireTLS, false, "loopback");
  assert.throws(() => parseSmtpUrl("http://x"), /must start with smtp:\/\/ or smtps:\/\//);
  assert.throws(() => parseSmtpUrl("not a url"), /smtp:\/\/user:pass@host:587/);
});

Deno.test("smtp mailer: the default sender is the SMTP user when it is an address, else no-reply@host", async () => {
  const db = await openTestDb();
  try {
    const a = new SmtpMailer({ db, url: "smtp://desk%40firm.io:x@smtp.example.com" });
    assert.equal(a.from, "PropTrade Pro <desk@firm.io>");
    const b = new SmtpMailer({ db, url: "smtp://apikey:x@smtp.example.com" });
    assert.equal(b.from, "PropTrade Pro <no-reply@smtp.example.com>");
    const c = new SmtpMailer({ db, url: "smtp://apikey:x@smtp.example.com", from: "Ops <ops@firm.io>" });
    assert.equal(c.from, "Ops <ops@firm.io>");
    for (const m of [a, b, c]) m.close();
  } finally {
    await db.close();
  }
});
