/**
 * A 10 MB KYC upload streams: the process's RSS grows by less than 20 MB while it is typed, encrypted and
 * written (issue #12). The body is generated on the fly, so the test itself holds one 64 KiB chunk.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { signUp } from "./helpers/client.ts";
import { MAX_DOCUMENT_BYTES } from "../services/kyc/files.ts";
import type { FreshApp } from "../lib/app.ts";

const CHUNK = 64 * 1024;

/** A multipart body (kind, then a PNG-signed file of `size` bytes) streamed chunk by chunk. */
function streamedUpload(size: number): { body: ReadableStream<Uint8Array>; type: string } {
  const boundary = `----kyc${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nidentity_front\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n` +
      `Content-Type: image/png\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 31) % 256);
  chunk.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let sent = 0;
  let stage = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (stage === 0) {
        stage = 1;
        return c.enqueue(head);
      }
      if (sent < size) {
        const n = Math.min(CHUNK, size - sent);
        sent += n;
        // A fresh copy each time, as a network read would hand over.
        return c.enqueue(chunk.slice(0, n));
      }
      if (stage === 1) {
        stage = 2;
        return c.enqueue(tail);
      }
      c.close();
    },
  }, { highWaterMark: 0 });
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(app: FreshApp, bearer: string, size: number): Promise<Response> {
  const { body, type } = streamedUpload(size);
  return await app.request("/api/kyc/documents", {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": type },
    body,
    duplex: "half",
  } as RequestInit);
}

Deno.test("kyc: a 10 MB upload grows RSS by less than 20 MB (streamed, never buffered whole)", async () => {
  const testApp = await openTestApp();
  try {
    const trader = await signUp(testApp.app);
    // Warm up at full size (JIT, crypto, and V8's young generation, which grows to its working size under
    // any allocation rate), so the measurement sees what one more upload holds. A body buffered whole would
    // still show: 10 MB arrays live in large-object pages, mapped per allocation and unmapped when freed.
    for (let i = 0; i < 2; i++) {
      const res = await upload(testApp.app, trader.accessToken, MAX_DOCUMENT_BYTES);
      assert.equal(res.status, 201, await res.clone().text());
      await res.body?.cancel();
    }
    const size = MAX_DOCUMENT_BYTES;
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 2);
    const started = performance.now();
    const res = await upload(testApp.app, trader.accessToken, size);
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, Deno.memoryUsage().rss);
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await res.json()).sizeBytes, size);
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(`10 MB upload: RSS growth ${growthMb.toFixed(1)} MB (peak), ${ms.toFixed(0)} ms`);
    // The budget is 20 MB; holding the file whole once measured 12.6 MB here, so the bound is set
    // below one copy of the file, where a buffering regression fails this test instead of slipping under.
    assert.ok(growthMb < 10, `RSS grew by ${growthMb.toFixed(1)} MB (budget 20 MB; one whole copy is 10 MB)`);

    const over = await upload(testApp.app, trader.accessToken, size + 1);
    assert.equal(over.status, 413, "one byte over 10 MB is refused");
    await over.body?.cancel();
  } finally {
    await testApp.close();
  }
});
