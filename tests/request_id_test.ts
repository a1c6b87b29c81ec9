import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { createMailer } from "../services/mail/mod.ts";
import type { Mail, Mailer } from "../services/mail/mailer.ts";
import { configureLog } from "../services/log.ts";

/** Captures the process logger's JSON lines for the length of `fn`. */
async function captureLog(fn: (lines: Record<string, unknown>[]) => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  const previous = configureLog({
    level: "debug",
    format: "json",
    write: (line) => lines.push(JSON.parse(line)),
  });
  try {
    await fn(lines);
  } finally {
    configureLog(previous);
  }
}

Deno.test("request id: every response carries one, and a service's log line from that request names it", async () => {
  // A mailer that fails for one address: the password-reset mail goes out in the background after the
  // response, so its failure is a service-level line logged far from the route that started it.
  let failFor = "";
  const { app, deps, close } = await openTestApp({
    mailer: {
      async send(mail: Mail) {
        if (mail.to === failFor) throw new Error("smtp down");
        await inner.send(mail);
      },
    } satisfies Mailer,
  });
  const inner = createMailer({ db: deps.db, smtpUrl: undefined, env: "test", log: () => {} });
  try {
    const user = await signUp(app);
    failFor = user.email;
    await captureLog(async (lines) => {
      const res = await client(app).json("POST", "/api/auth/forgot-password", { email: user.email });
      assert.equal(res.status, 202);
      await res.body?.cancel();
      const requestId = res.headers.get("x-request-id");
      assert.match(requestId ?? "", /^[0-9a-f]{32}$/);
      await deps.background.settled();
      const failure = lines.find((l) => String(l.msg).includes("password reset mail"));
      assert.ok(failure, `no line about the failed mail in ${JSON.stringify(lines)}`);
      assert.equal(failure.level, "error");
      assert.equal(failure.requestId, requestId);
      assert.equal((failure.error as { message: string }).message, "smtp down");
    });

    const a = await app.request("/healthz");
    const b = await app.request("/healthz");
    await a.body?.cancel();
    await b.body?.cancel();
    assert.notEqual(a.headers.get("x-request-id"), b.headers.get("x-request-id"), "one id per request");
  } finally {
    await close();
  }
});

Deno.test("request id: an incoming W3C traceparent's trace id is used, a malformed one is not", async () => {
  const { app, close } = await openTestApp();
  try {
    const traced = await app.request("/healthz", {
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    await traced.body?.cancel();
    assert.equal(traced.headers.get("x-request-id"), "4bf92f3577b34da6a3ce929d0e0e4736");

    for (
      const bad of ["00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-<script>-x-01", "junk"]
    ) {
      const res = await app.request("/healthz", { headers: { traceparent: bad } });
      await res.body?.cancel();
      const id = res.headers.get("x-request-id") ?? "";
      assert.match(id, /^[0-9a-f]{32}$/, bad);
      assert.notEqual(id, "00000000000000000000000000000000", bad);
    }
  } finally {
    await close();
  }
});
