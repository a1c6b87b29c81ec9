/**
 * Test helpers for the storage adapters: a real S3 protocol server, and the one contract every
 * `ObjectStore` must meet (run against each adapter from its own test file).
 */
import assert from "node:assert/strict";
import S3rver from "../../tests/deps/s3rver.ts";
import { HttpError } from "../../lib/errors.ts";
import type { ObjectStore } from "./store.ts";

/** s3rver's fixed credentials (it checks signatures against these). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

interface TestS3 {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

/** Starts s3rver on a free port with a temp directory and the bucket already created. */
export async function startS3rver(bucket = "docs"): Promise<TestS3> {
  const directory = await Deno.makeTempDir({ prefix: "s3rver_" });
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async close() {
      await server.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}

/** Fetches a presigned URL as a browser would (for S3: over HTTP; for disk: through the app route). */
type FetchSigned = (url: string) => Promise<Response>;

/** The behaviour both adapters share, as `t.step`s. */
export async function storeContract(t: Deno.TestContext, store: ObjectStore, fetchSigned: FetchSigned) {
  const root = `contract-${crypto.randomUUID()}`;

  await t.step("ping answers", async () => {
    await store.ping();
  });

  await t.step("put then get returns the bytes and content type", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await store.put(`${root}/kyc/u1/id.bin`, bytes, { contentType: "application/pdf" });
    const got = await store.get(`${root}/kyc/u1/id.bin`);
    assert.ok(got);
    assert.deepEqual(got.body, bytes);
    assert.equal(got.contentType, "application/pdf");
  });

  await t.step("strings are stored as UTF-8; the content type defaults to octet-stream", async () => {
    await store.put(`${root}/notes/ünïcødé €.txt`, "héllo €");
    const got = await store.get(`${root}/notes/ünïcødé €.txt`);
    assert.equal(new TextDecoder().decode(got!.body), "héllo €");
    assert.equal(got!.contentType, "application/octet-stream");
  });

  await t.step("put replaces an existing object", async () => {
    await store.put(`${root}/replace.txt`, "one", { contentType: "text/plain" });
    await store.put(`${root}/replace.txt`, "two", { contentType: "text/csv" });
    const got = await store.get(`${root}/replace.txt`);
    assert.equal(new TextDecoder().decode(got!.body), "two");
    assert.equal(got!.contentType, "text/csv");
  });

  await t.step("get of a missing key is null", async () => {
    assert.equal(await store.get(`${root}/missing`), null);
    assert.equal(await store.get(`${root}/kyc`), null, "a 'folder' is not an object");
  });

  await t.step("list returns sorted keys under a prefix, partial segments included", async () => {
    await store.put(`${root}/kyc/u1/selfie.jpg`, "x");
    await store.put(`${root}/kyc/u2/id.bin`, "x");
    assert.deepEqual(await store.list(`${root}/kyc/`), [
      `${root}/kyc/u1/id.bin`,
      `${root}/kyc/u1/selfie.jpg`,
      `${root}/kyc/u2/id.bin`,
    ]);
    assert.deepEqual(await store.list(`${root}/kyc/u1/s`), [`${root}/kyc/u1/selfie.jpg`]);
    assert.deepEqual(await store.list(`${root}/nothing-here/`), []);
    assert.ok((await store.list()).includes(`${root}/replace.txt`));
  });

  await t.step("delete removes the object; deleting again is fine", async () => {
    await store.delete(`${root}/kyc/u2/id.bin`);
    await store.delete(`${root}/kyc/u2/id.bin`);
    assert.equal(await store.get(`${root}/kyc/u2/id.bin`), null);
    assert.deepEqual(await store.list(`${root}/kyc/u2`), []);
  });

  await t.step("a presigned URL serves the object with its content type", async () => {
    const url = await store.presignGet(`${root}/kyc/u1/id.bin`, 60);
    const res = await fetchSigned(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array([0, 1, 2, 250, 255]));
  });

  await t.step("a tampered presigned URL is refused", async () => {
    const url = new URL(await store.presignGet(`${root}/kyc/u1/id.bin`, 60));
    url.pathname = url.pathname.replace("id.bin", "selfie.jpg");
    const res = await fetchSigned(url.toString());
    assert.equal(res.status, 403);
    await res.body?.cancel();
  });

  await t.step("putStream / getStream carry a body larger than one S3 part, and empty ones", async () => {
    // 11 MiB in 64 KiB chunks: three parts on S3 (5 + 5 + 1 MiB), a multipart upload.
    const chunk = (i: number) => new Uint8Array(64 * 1024).fill(i % 251);
    const count = 176;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < count; i++) c.enqueue(chunk(i));
        c.close();
      },
    });
    const size = await store.putStream(`${root}/big.bin`, body, { contentType: "application/pdf" });
    assert.equal(size, count * 64 * 1024);
    const got = await store.getStream(`${root}/big.bin`);
    assert.ok(got);
    assert.equal(got.contentType, "application/pdf");
    let offset = 0;
    for await (const part of got.body) {
      for (let i = 0; i < part.length; i++) {
        if (part[i] !== Math.floor((offset + i) / (64 * 1024)) % 251) {
          assert.fail(`byte ${offset + i} differs`);
        }
      }
      offset += part.length;
    }
    assert.equal(offset, size);
    assert.equal(await store.putStream(`${root}/empty.bin`, new Blob([]).stream()), 0);
    assert.equal((await store.get(`${root}/empty.bin`))?.body.length, 0);
    assert.equal(await store.getStream(`${root}/missing`), null);
  });

  await t.step("a stream that fails leaves no object behind", async () => {
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ === 100) c.error(new Error("client went away"));
        else c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    await assert.rejects(() => store.putStream(`${root}/broken.bin`, failing), /client went away/);
    assert.equal(await store.get(`${root}/broken.bin`), null);
  });

  await t.step("unsafe keys are rejected by every operation", async () => {
    for (
      const key of ["../escape", "a/../../b", "/etc/passwd", "a\\b", "a\0b", "", "a//b", "x".repeat(513)]
    ) {
      await assert.rejects(() => store.put(key, "x"), isUnprocessable, `put ${JSON.stringify(key)}`);
      await assert.rejects(() => store.get(key), isUnprocessable, `get ${JSON.stringify(key)}`);
      await assert.rejects(() => store.delete(key), isUnprocessable, `delete ${JSON.stringify(key)}`);
      await assert.rejects(
        () => store.presignGet(key, 60),
        isUnprocessable,
        `presign ${JSON.stringify(key)}`,
      );
    }
    await assert.rejects(() => store.list("../"), isUnprocessable);
    await assert.rejects(
      () => store.put(`${root}/x`, "x", { contentType: "text/html\r\nx-evil: 1" }),
      isUnprocessable,
    );
  });

  await t.step("presign expiry must be 1 s to 7 days", async () => {
    await assert.rejects(() => store.presignGet(`${root}/replace.txt`, 0), RangeError);
    await assert.rejects(() => store.presignGet(`${root}/replace.txt`, 8 * 24 * 3600), RangeError);
  });

  // Leave nothing behind for the next run (s3rver and the disk use temp dirs, but be a good neighbour).
  for (const key of await store.list(`${root}/`)) await store.delete(key);
  assert.deepEqual(await store.list(`${root}/`), []);
}

function isUnprocessable(error: unknown): boolean {
  return error instanceof HttpError && error.status === 422;
}
