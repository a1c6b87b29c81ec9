import assert from "node:assert/strict";
import { Conflict } from "../../lib/errors.ts";
import { DiskStore, serveSignedObject, verifyObjectSignature } from "./disk.ts";
import { createStore } from "./mod.ts";
import { storeContract } from "./testing.ts";

const SECRET = "test-signing-secret-0123456789";
const APP = "https://app.example.test";

async function withStore(fn: (store: DiskStore, dataDir: string, clock: { now: Date }) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "disk_store_" });
  const clock = { now: new Date("2030-01-01T00:00:00Z") };
  try {
    await fn(
      new DiskStore({ dataDir, appUrl: `${APP}/`, signingSecret: SECRET, now: () => clock.now }),
      dataDir,
      clock,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

const at = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

Deno.test("disk store meets the store contract", async (t) => {
  await withStore(async (store, _dir, clock) => {
    assert.equal(store.kind, "disk");
    await storeContract(t, store, (url) => serveSignedObject(store, SECRET, new Request(url), clock.now));
  });
});

Deno.test("disk store signed URLs", async (t) => {
  await withStore(async (store, _dir, clock) => {
    const signedAt = clock.now;
    await store.put("kyc/u1/passport scan.pdf", "%PDF-1.7", { contentType: "application/pdf" });
    const url = await store.presignGet("kyc/u1/passport scan.pdf", 60);
    const serve = (href: string, now: Date, method = "GET") =>
      serveSignedObject(store, SECRET, new Request(href, { method }), now);

    await t.step("point at the app's /_objects/ route with expires and an HMAC", () => {
      const expires = Math.floor(signedAt.getTime() / 1000) + 60;
      assert.match(
        url,
        new RegExp(`^${APP}/_objects/kyc/u1/passport%20scan\\.pdf\\?expires=${expires}&sig=[0-9a-f]{64}$`),
      );
    });

    await t.step("serve the object privately, inert, with its content type until they expire", async () => {
      const res = await serve(url, at(signedAt, 59));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("content-security-policy"), "default-src 'none'; sandbox");
      assert.equal(await res.text(), "%PDF-1.7");
    });

    await t.step("answer HEAD without a body and refuse other methods", async () => {
      const head = await serve(url, signedAt, "HEAD");
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), "8");
      assert.equal(head.body, null);
      const post = await serve(url, signedAt, "POST");
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD");
      await post.body?.cancel();
    });

    await t.step("are refused with 403 JSON once expired", async () => {
      const res = await serve(url, at(signedAt, 61));
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      const body = await res.json();
      assert.equal(body.error.code, "forbidden");
      assert.match(body.error.message, /expired/);
    });

    await t.step("are refused with 403 JSON when tampered with or incomplete", async () => {
      const later = new URL(url);
      later.searchParams.set("expires", String(Number(later.searchParams.get("expires")) + 3600));
      const other = url.replace("passport%20scan.pdf", "selfie.jpg");
      const noSig = url.replace(/&sig=.*/, "");
      const badEncoding = url.replace("passport%20scan", "passport%E0%A4%A");
      for (
        const href of [later.toString(), other, noSig, badEncoding, `${APP}/_objects/kyc?expires=x&sig=y`]
      ) {
        const res = await serve(href, signedAt);
        assert.equal(res.status, 403, href);
        const body = await res.json();
        assert.deepEqual(Object.keys(body.error).sort(), ["code", "message"]);
        assert.match(body.error.message, /invalid/);
      }
    });

    await t.step("answer 404 JSON when the object is gone", async () => {
      await store.delete("kyc/u1/passport scan.pdf");
      const res = await serve(url, signedAt);
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, "not_found");
    });

    await t.step("verifyObjectSignature checks secret, key, expiry and clock", async () => {
      const u = new URL(url);
      const [expires, sig] = [u.searchParams.get("expires")!, u.searchParams.get("sig")!];
      const key = "kyc/u1/passport scan.pdf";
      assert.equal(await verifyObjectSignature(SECRET, key, expires, sig, signedAt), true);
      assert.equal(await verifyObjectSignature(SECRET, key, Number(expires), sig, signedAt), true);
      assert.equal(await verifyObjectSignature(SECRET, key, expires, sig, at(signedAt, 61)), false);
      assert.equal(await verifyObjectSignature(`${SECRET}x`, key, expires, sig, signedAt), false);
      assert.equal(await verifyObjectSignature(SECRET, `${key}x`, expires, sig, signedAt), false);
      assert.equal(await verifyObjectSignature(SECRET, key, expires, sig.toUpperCase(), signedAt), false);
      assert.equal(await verifyObjectSignature(SECRET, key, "-1", sig, signedAt), false);
    });
  });
});

Deno.test("disk store files: atomic writes, sidecars, key/folder clashes", async (t) => {
  await withStore(async (store, dataDir) => {
    await t.step("bytes and content type live in parallel trees; no temp files remain", async () => {
      await store.put("a/b.txt", "hi", { contentType: "text/plain" });
      assert.equal(await Deno.readTextFile(`${dataDir}/objects/data/a/b.txt`), "hi");
      assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dataDir}/objects/meta/a/b.txt`)), {
        contentType: "text/plain",
      });
      assert.deepEqual([...Deno.readDirSync(`${dataDir}/objects/tmp`)], []);
    });

    await t.step("a key cannot also be a folder (409), and deleting frees the name", async () => {
      await assert.rejects(() => store.put("a", "x"), Conflict);
      await assert.rejects(() => store.put("a/b.txt/c", "x"), Conflict);
      assert.deepEqual([...Deno.readDirSync(`${dataDir}/objects/tmp`)], [], "failed puts clean up");
      await store.delete("a/b.txt");
      await store.put("a", "now a file");
      assert.deepEqual(await store.list(), ["a"]);
    });

    await t.step("concurrent writers of one key leave one complete version", async () => {
      const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(1000));
      await Promise.all(versions.map((v) => store.put("race.txt", v)));
      const got = new TextDecoder().decode((await store.get("race.txt"))!.body);
      assert.ok(versions.includes(got));
    });
  });
});

Deno.test("createStore picks the adapter from the configuration", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "create_store_" });
  try {
    assert.equal(createStore({ dataDir, appUrl: APP, signingSecret: SECRET }).kind, "disk");
    const s3 = { endpoint: "http://127.0.0.1:9", bucket: "docs", accessKeyId: "k", secretAccessKey: "s" };
    assert.equal(createStore({ s3, dataDir, appUrl: APP, signingSecret: SECRET }).kind, "s3");
    assert.throws(() => createStore({ dataDir, appUrl: APP, signingSecret: "short" }), /at least 16/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
