import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { openTestApp } from "./helpers/app.ts";
import { signUp } from "./helpers/client.ts";

Deno.test("2FA security mail: the owner is told each time 2FA is turned on and off, so a thief who turns it off is noticed", async () => {
  const { app, inbox, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const call = (path: string, body?: unknown) =>
      user.client.json("POST", path, body, { bearer: user.accessToken });
    const mailsTo = () => inbox.mails.filter((m) => m.to === user.email).length;

    const enrol = await call("/api/auth/2fa/enroll");
    assert.equal(enrol.status, 200);
    assert.equal(enrol.headers.get("content-type"), "application/json");
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32((await enrol.json()).secret) });
    const before = mailsTo();

    const wrong = await call("/api/auth/2fa/confirm", { code: "000000" });
    assert.equal(wrong.status, 422);
    await wrong.body?.cancel();
    assert.equal(mailsTo(), before, "a refused code changes nothing and mails nothing");

    const on = await call("/api/auth/2fa/confirm", { code: totp.generate() });
    assert.equal(on.status, 200);
    assert.equal(on.headers.get("content-type"), "application/json");
    const { recoveryCodes } = await on.json();
    assert.equal(mailsTo(), before + 1);
    assert.match(inbox.latestTo(user.email).subject, /Two-factor authentication was turned on/);

    const off = await call("/api/auth/2fa/disable", { code: recoveryCodes[0] });
    assert.equal(off.status, 204);
    await off.body?.cancel();
    assert.equal(mailsTo(), before + 2);
    const notice = inbox.latestTo(user.email);
    assert.match(notice.subject, /Two-factor authentication was turned off/);
    assert.match(notice.text, /If you did not turn it off/);
  } finally {
    await close();
  }
});
