import assert from "node:assert/strict";
import { openTestDb } from "../../tests/helpers/db.ts";
import { createMailer } from "./mod.ts";
import { latestMailTo, listOutbox, markFailed, markSent, OutboxMailer, recordMail } from "./outbox.ts";
import { SmtpMailer } from "./smtp.ts";
import { resetPasswordMail } from "./templates.ts";

Deno.test("outbox: every mail is recorded and listed newest first", async (t) => {
  const db = await openTestDb();
  // The database may be shared with other tests: every address is unique to this run.
  const tag = crypto.randomUUID().slice(0, 8);
  const ann = `ann.${tag}@example.com`;
  const bob = `bob.${tag}@example.com`;
  try {
    const mailer = new OutboxMailer(db);

    await t.step("send records the mail as given, unsent", async () => {
      await mailer.send({ to: ann, subject: "First", text: "one", html: "<p>one</p>" });
      const mail = await latestMailTo(db, ann);
      assert.ok(mail);
      assert.match(mail.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, sentAt: mail.sentAt },
        { to: ann, subject: "First", text: "one", html: "<p>one</p>", sentAt: null },
      );
      assert.equal(mail.error, null);
      assert.ok(mail.createdAt instanceof Date);
    });

    await t.step("a mail without HTML stores null", async () => {
      await mailer.send({ to: bob, subject: "Text only", text: "plain" });
      assert.equal((await latestMailTo(db, bob))?.html, null);
    });

    await t.step("listOutbox filters by address (case-insensitive), newest first, limited", async () => {
      await mailer.send({ to: ann.toUpperCase(), subject: "Second", text: "two" });
      await mailer.send({ to: ann, subject: "Third", text: "three" });
      const mails = await listOutbox(db, { to: ann, limit: 10 });
      assert.deepEqual(mails.map((m) => m.subject), ["Third", "Second", "First"]);
      assert.deepEqual(
        (await listOutbox(db, { to: `ANN.${tag}@EXAMPLE.COM`, limit: 2 })).map((m) => m.subject),
        [
          "Third",
          "Second",
        ],
      );
      assert.equal((await latestMailTo(db, ann))?.subject, "Third");
      assert.equal(await latestMailTo(db, `nobody.${tag}@example.com`), null);
    });

    await t.step(
      "listOutbox without an address lists every recipient, and the limit is clamped",
      async () => {
        // Other tests may have written to this database too: check the shape, not whose mails these are.
        const all = await listOutbox(db, { limit: 4 });
        assert.equal(all.length, 4);
        assert.ok(all.every((m, i) => i === 0 || all[i - 1].createdAt >= m.createdAt), "newest first");
        assert.ok(new Set(all.map((m) => m.to.toLowerCase())).size >= 2, "more than one recipient");
        assert.equal((await listOutbox(db, { limit: 0 })).length, 1, "at least one");
        assert.ok((await listOutbox(db, { limit: 10_000 })).length <= 500, "at most 500");
      },
    );

    await t.step(
      "mails written in one clock tick (one transaction) are listed in the order written",
      async () => {
        const to = `tick.${tag}@example.com`;
        const subjects = Array.from({ length: 8 }, (_, i) => `Mail ${i}`);
        await db.tx(async (tx) => {
          for (const subject of subjects) await recordMail(tx, { to, subject, text: "same now()" });
        });
        const listed = await listOutbox(db, { to, limit: 10 });
        assert.deepEqual(listed.map((m) => m.subject), subjects.toReversed());
        assert.equal((await latestMailTo(db, to))?.subject, "Mail 7");
      },
    );

    await t.step("markSent and markFailed stamp a row; long errors are truncated", async () => {
      const to = `stamp.${tag}@example.com`;
      const id = await recordMail(db.sql, { to, subject: "S", text: "t" });
      await markFailed(db.sql, id, "x".repeat(5000));
      let row = await latestMailTo(db, to);
      assert.equal(row?.error?.length, 1000);
      assert.equal(row?.sentAt, null);
      await markSent(db.sql, id);
      row = await latestMailTo(db, to);
      assert.ok(row?.sentAt instanceof Date);
      assert.equal(row?.error, null, "a later success clears the error");
    });

    await t.step("a malformed mail is refused and not recorded", async () => {
      const to = `bad.${tag}@example.com`;
      await assert.rejects(() => mailer.send({ to, subject: "a\nb", text: "x" }), TypeError);
      await assert.rejects(() => mailer.send({ to: `Eve <${to}>`, subject: "Hi", text: "x" }), TypeError);
      await assert.rejects(() => mailer.send({ to, subject: "  ", text: "x" }), /must not be empty/);
      assert.equal(await latestMailTo(db, to), null);
    });
  } finally {
    await db.close();
  }
});

Deno.test("createMailer: outbox only without SMTP, printing in development only", async () => {
  const db = await openTestDb();
  const tag = crypto.randomUUID().slice(0, 8);
  try {
    const printed: string[] = [];
    const dev = createMailer({ db, smtpUrl: undefined, env: "development", log: (m) => printed.push(m) });
    assert.ok(dev instanceof OutboxMailer);
    const to = `dev.${tag}@example.com`;
    await dev.send({ to, subject: "Confirm", text: "Open http://localhost:8000/verify-email?token=t1\n" });
    assert.equal(printed.length, 1);
    assert.match(printed[0], new RegExp(`To: ${to.replace(/\./g, "\\.")}\nSubject: Confirm\n\nOpen http`));
    const stored = await latestMailTo(db, to);
    assert.equal(stored?.subject, "Confirm", "also in the outbox");
    assert.match(printed[0], /verify-email\?token=t1/, "the developer gets the link on the console");
    assert.equal(stored?.text, "Open [link removed — sent only to the recipient]\n", "the outbox does not");

    for (const env of ["test", "production"] as const) {
      const quiet = createMailer({ db, smtpUrl: undefined, env, log: (m) => printed.push(m) });
      await quiet.send({ to, subject: `In ${env}`, text: "x" });
    }
    assert.equal(printed.length, 1, "nothing printed outside development");
    assert.deepEqual((await listOutbox(db, { to, limit: 5 })).map((m) => m.subject), [
      "In production",
      "In test",
      "Confirm",
    ]);

    const smtp = createMailer({ db, smtpUrl: "smtp://127.0.0.1:2525", env: "development", log: () => {} });
    assert.ok(smtp instanceof SmtpMailer, "SMTP when configured (nothing connects until a send)");
    smtp.close();
  } finally {
    await db.close();
  }
});

Deno.test("outbox: a mail's one-time links are never stored, whoever forgot to mark them", async () => {
  const db = await openTestDb();
  const to = `secret.${crypto.randomUUID().slice(0, 8)}@example.com`;
  try {
    const mailer = new OutboxMailer(db);
    // A template's mail carries its own redacted copy…
    await mailer.send({ to, ...resetPasswordMail("https://app.test", "tok-1") });
    let row = (await latestMailTo(db, to))!;
    assert.match(row.text, /\[link removed — sent only to the recipient\]/);
    assert.doesNotMatch(`${row.text}${row.html}`, /tok-1/);
    // …and a hand-written mail with a token link is scrubbed all the same, in text and HTML.
    await mailer.send({
      to,
      subject: "Hand-made",
      text: "Go to https://app.test/x?a=1&token=tok-2 now, or https://app.test/plain.\n",
      html: `<a href="https://app.test/x?code=tok-3">go</a>`,
    });
    row = (await latestMailTo(db, to))!;
    assert.equal(
      row.text,
      "Go to [link removed — sent only to the recipient] now, or https://app.test/plain.\n",
    );
    assert.equal(row.html, `<a href="[link removed — sent only to the recipient]">go</a>`);
  } finally {
    await db.close();
  }
});

Deno.test("migration 010 scrubs one-time links from mails stored before redaction", async () => {
  const db = await openTestDb();
  const to = `old.${crypto.randomUUID().slice(0, 8)}@example.com`;
  try {
    // A row as the outbox stored it before: the raw link, in text and HTML.
    await db.sql`
      insert into mail_outbox (to_address, subject, text_body, html_body)
      values (${to}, 'Reset', ${"Open:\nhttp://localhost:8000/reset-password?token=OLD-tok_1\nBye"},
              ${'<a href="http://localhost:8000/reset-password?token=OLD-tok_1">x</a>'})`;
    const migration = await Deno.readTextFile(
      new URL("../../db/migrations/011_outbox_redact_links.sql", import.meta.url),
    );
    await db.sql.unsafe(migration);
    const row = (await latestMailTo(db, to))!;
    assert.equal(row.text, "Open:\n[link removed — sent only to the recipient]\nBye");
    assert.equal(row.html, '<a href="[link removed — sent only to the recipient]">x</a>');
  } finally {
    await db.close();
  }
});
