import assert from "node:assert/strict";
import { HttpError } from "../../lib/errors.ts";
import { DiskStore } from "../storage/disk.ts";
import { DecryptionError } from "../storage/encryption.ts";
import { kycKeyRing, MAX_DOCUMENT_BYTES, readDocumentFile, sniffType, storeDocumentFile } from "./files.ts";

const OLD = "1".repeat(64);
const NEW = "2".repeat(64);
const bytes = (...b: number[]) => new Uint8Array(b);
const text = (t: string) => new TextEncoder().encode(t);

Deno.test("sniffType trusts the bytes only", () => {
  assert.equal(sniffType(bytes(0xff, 0xd8, 0xff, 0xe0)), "image/jpeg");
  assert.equal(sniffType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), "image/png");
  assert.equal(sniffType(text("%PDF-1.4")), "application/pdf");
  for (const other of ["<!doctype html>", "<svg xmlns=", "%PDF", "GIF89a", "MZ", ""]) {
    assert.equal(sniffType(text(other)), null, other);
  }
  assert.equal(sniffType(bytes(0x89, 0x50, 0x4e, 0x47)), null, "a truncated PNG signature");
});

Deno.test("stored documents: typed, capped, and readable after a key rotation", async (t) => {
  const dataDir = await Deno.makeTempDir();
  const store = new DiskStore({ dataDir, appUrl: "http://localhost", signingSecret: "s".repeat(32) });
  try {
    const before = { kycEncryptionKey: OLD, kycEncryptionKeysRetired: [] };
    const pdf = text("%PDF-1.7\n1 0 obj\n");
    const doc = await storeDocumentFile(store, await kycKeyRing(before), "u1", new Blob([pdf]).stream());
    assert.equal(doc.contentType, "application/pdf");
    assert.equal(doc.sizeBytes, pdf.length);

    await t.step("after rotation the old document still decrypts; new ones use the new key", async () => {
      const rotated = await kycKeyRing({ kycEncryptionKey: NEW, kycEncryptionKeysRetired: [OLD] });
      const stream = await readDocumentFile(store, rotated, doc.storageKey);
      assert.deepEqual(new Uint8Array(await new Response(stream).arrayBuffer()), pdf);
      const next = await storeDocumentFile(store, rotated, "u1", new Blob([pdf]).stream());
      assert.equal(next.keyId, rotated.current);
      assert.notEqual(next.keyId, doc.keyId);
    });

    await t.step("without the retired key the old document is refused, not garbled", async () => {
      const newOnly = await kycKeyRing({ kycEncryptionKey: NEW, kycEncryptionKeysRetired: [] });
      const stream = await readDocumentFile(store, newOnly, doc.storageKey);
      await assert.rejects(() => new Response(stream).arrayBuffer(), DecryptionError);
    });

    await t.step("an empty, an unknown and an oversized file leave nothing stored", async () => {
      const ring = await kycKeyRing(before);
      const refuse = async (body: ReadableStream<Uint8Array>, status: number) => {
        await assert.rejects(
          () => storeDocumentFile(store, ring, "u2", body),
          (e: unknown) => e instanceof HttpError && e.status === status,
        );
      };
      await refuse(new Blob([]).stream(), 422);
      await refuse(new Blob([text("<html>")]).stream(), 422);
      const big = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
      big.set(text("%PDF-"));
      await refuse(new Blob([big]).stream(), 413);
      assert.deepEqual(await store.list("kyc/u2/"), []);
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
