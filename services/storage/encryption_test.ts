import assert from "node:assert/strict";
import { CHUNK_BYTES, DecryptionError, decryptStream, encryptStream, keyRing } from "./encryption.ts";

const KEY_A = "a".repeat(64);
const KEY_B = "0123456789abcdef".repeat(4);

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new Blob(chunks as BlobPart[]).stream();
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function random(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  }
  return out;
}

Deno.test("encryption round-trips every size around the chunk boundaries", async () => {
  const ring = await keyRing(KEY_A);
  for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 200_000]) {
    const plain = random(size);
    const { keyId, body } = encryptStream(ring, streamOf(plain.subarray(0, 7), plain.subarray(7)));
    assert.equal(keyId, ring.current);
    const sealed = await bytesOf(body);
    assert.equal(sealed.length, 4 + 1 + 16 + 16 + 4 + size + 16 * (Math.ceil(size / CHUNK_BYTES) || 1));
    assert.deepEqual(await bytesOf(decryptStream(ring, streamOf(sealed))), plain, `size ${size}`);
  }
});

Deno.test("the ciphertext does not contain the plaintext, and two encryptions differ", async () => {
  const ring = await keyRing(KEY_A);
  const plain = new TextEncoder().encode("%PDF-1.7 passport of Jane Doe ".repeat(100));
  const one = await bytesOf(encryptStream(ring, streamOf(plain)).body);
  const two = await bytesOf(encryptStream(ring, streamOf(plain)).body);
  const text = new TextDecoder("latin1").decode(one);
  assert.ok(!text.includes("Jane Doe") && !text.includes("%PDF"));
  assert.notDeepEqual(one.subarray(25), two.subarray(25));
});

Deno.test("tampering, truncation, reordering and an unknown key are refused", async () => {
  const ring = await keyRing(KEY_A);
  const sealed = await bytesOf(encryptStream(ring, streamOf(random(3 * CHUNK_BYTES + 10)), CHUNK_BYTES).body);
  const fails = (bytes: Uint8Array, r = ring) =>
    assert.rejects(() => bytesOf(decryptStream(r, streamOf(bytes))), DecryptionError);
  const flipped = sealed.slice();
  flipped[100] ^= 1;
  await fails(flipped);
  const chunk = CHUNK_BYTES + 16;
  const header = 4 + 1 + 16 + 16 + 4;
  await fails(sealed.subarray(0, header + 2 * chunk)); // dropped the last chunks: no final chunk
  const swapped = sealed.slice();
  swapped.set(sealed.subarray(header + chunk, header + 2 * chunk), header);
  swapped.set(sealed.subarray(header, header + chunk), header + chunk);
  await fails(swapped);
  await fails(sealed, await keyRing(KEY_B));
  await fails(new TextEncoder().encode("<html>not encrypted</html>"));
});

Deno.test("a rotated ring still reads objects of its retired keys, and writes with the new one", async () => {
  const old = await keyRing(KEY_A);
  const sealed = await bytesOf(encryptStream(old, streamOf(new Uint8Array([1, 2, 3]))).body);
  const rotated = await keyRing(KEY_B, [KEY_A]);
  assert.notEqual(rotated.current, old.current);
  assert.deepEqual(await bytesOf(decryptStream(rotated, streamOf(sealed))), new Uint8Array([1, 2, 3]));
  assert.equal(encryptStream(rotated, streamOf()).keyId, rotated.current);
  await assert.rejects(() => keyRing("not hex"), /64 hex digits/);
});
