/**
 * Request bodies are capped per route while they stream (issue 9, item 2): an unauthenticated client could
 * post hundreds of megabytes to `/api/auth/login` and the app read them whole before any check.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp, strongPassword, uniqueEmail } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import { signatureHeader } from "../services/commerce/payments/signature.ts";
import { DEFAULT_BODY_LIMIT } from "../lib/body.ts";
import { ftmo100k } from "../services/engine/testing.ts";

const MiB = 1024 * 1024;

/**
 * A body of `chunks` × `chunkSize` bytes produced on demand, counting how many chunks were asked for and
 * whether the reader cancelled it: what a client that streams a huge chunked upload looks like to us.
 */
function producer(chunks: number, chunkSize = 1024, fill = 0x20) {
  const probe = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (probe.pulled === chunks) return controller.close();
      probe.pulled++;
      controller.enqueue(new Uint8Array(chunkSize).fill(fill));
    },
    cancel() {
      probe.cancelled = true;
    },
  });
  return { stream, probe };
}

/** `{"email":…,"password":…}` followed by `size` bytes of JSON whitespace: valid JSON of about that size. */
function paddedLogin(size: number): string {
  const head = JSON.stringify({ email: uniqueEmail(), password: strongPassword() });
  return head + " ".repeat(Math.max(0, size - head.length));
}

Deno.test("oversized bodies are refused with 413 while they stream, before anyone is authenticated", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const json = { "content-type": "application/json" };
  try {
    await t.step("a 1 MiB login with Content-Length → 413 before a byte is read", async () => {
      const { stream, probe } = producer(1024);
      const res = await c.request("/api/auth/login", {
        method: "POST",
        headers: { ...json, "content-length": String(MiB) },
        body: stream,
        duplex: "half",
      } as RequestInit);
      const body = await expectError(res, 413, "payload_too_large");
      assert.match(body.error.message, new RegExp(`${DEFAULT_BODY_LIMIT} bytes`));
      // A ReadableStream asks its source for one chunk ahead on its own; nobody read it.
      assert.ok(probe.pulled <= 1, `pulled ${probe.pulled} chunks of a refused body`);
    });

    await t.step("the same 1 MiB sent chunked → 413, and the stream is cancelled near 64 KB", async () => {
      const { stream, probe } = producer(1024);
      const res = await c.request("/api/auth/login", {
        method: "POST",
        headers: json,
        body: stream,
        duplex: "half",
      } as RequestInit);
      await expectError(res, 413, "payload_too_large");
      assert.ok(probe.pulled < 100, `pulled ${probe.pulled} of 1024 chunks before refusing`);
      assert.ok(probe.cancelled, "the client's stream was not cancelled");
    });

    await t.step("a login body just under the limit is still read (wrong password → 401)", async () => {
      const raw = paddedLogin(DEFAULT_BODY_LIMIT - 100);
      await expectError(await c.json("POST", "/api/auth/login", raw), 401);
    });

    await t.step("the payment webhook refuses an oversized body with 413, declared or chunked", async () => {
      const raw = " ".repeat(MiB);
      const header = await signatureHeader(
        deps.config.paymentWebhookSecret!,
        raw,
        Math.floor(Date.now() / 1000),
      );
      const headers = { ...json, "payment-signature": header };
      await expectError(
        await c.request("/api/payments/webhook", {
          method: "POST",
          headers: { ...headers, "content-length": String(raw.length) },
          body: raw,
        }),
        413,
        "payload_too_large",
      );
      const { stream, probe } = producer(1024);
      const res = await c.request("/api/payments/webhook", {
        method: "POST",
        headers,
        body: stream,
        duplex: "half",
      } as RequestInit);
      await expectError(res, 413, "payload_too_large");
      assert.ok(probe.pulled < 100, `pulled ${probe.pulled} of 1024 chunks before refusing`);
    });

    await t.step("a simulation with more than 64 KB of events is read under its own limit", async () => {
      const trader = await signUp(app);
      const start = Date.parse("2026-03-02T08:00:00Z");
      const events = Array.from(
        { length: 800 },
        (_, i) => sync.mark("100000.00", "100000.00", new Date(start + 60_000 * (i + 1)).toISOString()),
      );
      const raw = JSON.stringify({ plan: ftmo100k(), startAt: new Date(start).toISOString(), events });
      assert.ok(raw.length > DEFAULT_BODY_LIMIT, `simulation is only ${raw.length} bytes`);
      const res = await c.json("POST", "/api/rules/simulate", raw, { bearer: trader.accessToken });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      await res.body?.cancel();
    });

    await t.step("a huge sign-in form gets 413, never a 500", async () => {
      const raw = `email=a%40b.test&password=${"x".repeat(MiB)}`;
      const res = await c.request("/signin", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(raw.length),
          origin: "http://localhost:8000",
        },
        body: raw,
      });
      assert.equal(res.status, 413);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      await res.body?.cancel();

      const { stream, probe } = producer(1024, 1024, 0x61); // "aaaa…": one endless field name
      const chunked = await c.request("/signin", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost:8000" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      assert.equal(chunked.status, 413);
      await chunked.body?.cancel();
      assert.ok(probe.pulled < 100, `pulled ${probe.pulled} of 1024 chunks before refusing`);
    });
  } finally {
    await close();
  }
});

Deno.test("demo-sync takes a batch above 64 KB but refuses one above its own 512 KiB limit", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const start = Date.parse("2026-03-02T08:00:00Z");
    const { accountId } = await openTestAccount(deps.db, trader.userId, { at: new Date(start) });

    await t.step("a signed 3 MiB batch → 413 (declared and chunked)", async () => {
      const raw = JSON.stringify({ accountId, events: [] }) + " ".repeat(3 * MiB);
      await expectError(await postSync(c, secret, raw), 413, "payload_too_large");

      const { stream, probe } = producer(3 * 1024);
      const res = await c.request("/api/trading/demo-sync", {
        method: "POST",
        headers: { "content-type": "application/json", [SYNC_SIGNATURE_HEADER]: signSync(secret, "x") },
        body: stream,
        duplex: "half",
      } as RequestInit);
      await expectError(res, 413, "payload_too_large");
      assert.ok(probe.pulled < 2100, `pulled ${probe.pulled} of 3072 chunks before refusing`);
      assert.ok(probe.cancelled, "the connector's stream was not cancelled");
    });

    await t.step("a signed batch of ~100 KB is applied", async () => {
      const events = Array.from(
        { length: 800 },
        (_, i) => sync.mark("100000.00", "100000.00", new Date(start + 60_000 * (i + 1)).toISOString()),
      );
      const raw = JSON.stringify({ accountId, events });
      assert.ok(raw.length > DEFAULT_BODY_LIMIT, `batch is only ${raw.length} bytes`);
      const res = await postSync(c, secret, raw);
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      await res.body?.cancel();
    });
  } finally {
    await close();
  }
});
