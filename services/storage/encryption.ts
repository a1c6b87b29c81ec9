/**
 * App-side encryption of stored objects (KYC documents, DESIGN §3.3): AES-256-GCM applied by the app before
 * the bytes reach S3 or the disk, streamed in chunks so no object is ever held whole in memory.
 *
 * Object format (version 1):
 *
 *     "PTE1" | keyIdLength (1 byte) | keyId (ASCII) | salt (16 bytes) | chunkSize (u32 BE)   ← the header
 *     chunk 0 | chunk 1 | … | final chunk                                                    ← the body
 *
 * - Each chunk is `AES-256-GCM(plaintext slice) ‖ 16-byte tag`. Every chunk but the last holds exactly
 *   `chunkSize` plaintext bytes; the last holds 0…chunkSize bytes and is marked final in its nonce.
 * - Key: every object gets its own AES key, HKDF-SHA256(master key named by keyId, salt, "proptrade object
 *   v1"). With a fresh random salt per object no two objects share a key, so a nonce only has to be unique
 *   inside one object: nonce = final flag (1 byte: 0 or 1) ‖ 3 zero bytes ‖ chunk index (u64 BE).
 * - The header is the additional authenticated data of every chunk, so the key id, salt or chunk size cannot
 *   be swapped; the index in the nonce stops reordering, and the final flag stops truncation (a stream that
 *   ends without a final chunk, or continues after one, fails to decrypt).
 * - Rotation: the key id (a fingerprint of the master key) is in the header and stored beside the object;
 *   new objects use the current key, old ones decrypt with any key still in the ring.
 */
import type { ObjectStore } from "./store.ts";

const MAGIC = new TextEncoder().encode("PTE1");
const SALT_BYTES = 16;
const TAG_BYTES = 16;
/** Plaintext bytes per chunk: large enough that the 16-byte tags cost 0.02 %, small enough to stream. */
export const CHUNK_BYTES = 64 * 1024;
const INFO = new TextEncoder().encode("proptrade object v1");

/** The master keys: `current` encrypts, every key in `keys` (current included) decrypts. */
export interface KeyRing {
  current: string;
  keys: ReadonlyMap<string, CryptoKey>;
}

/** Thrown when an object cannot be decrypted: unknown key id, damaged or tampered bytes, truncation. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

/**
 * Builds the ring from hex master keys (64 hex digits = 32 bytes each): `current` first, then the retired
 * keys old objects may still need. A key's id is a fingerprint of it, so no id has to be configured.
 */
export async function keyRing(current: string, retired: readonly string[] = []): Promise<KeyRing> {
  const keys = new Map<string, CryptoKey>();
  let currentId = "";
  for (const hex of [current, ...retired]) {
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error("An encryption key must be 64 hex digits (32 bytes).");
    const raw = Uint8Array.from(hex.match(/../g)!, (byte) => parseInt(byte, 16));
    const id = await keyIdOf(raw);
    keys.set(id, await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]));
    currentId ||= id;
  }
  return { current: currentId, keys };
}

/** The first 16 hex digits of SHA-256 over a label and the key: names the key without revealing it. */
async function keyIdOf(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const label = new TextEncoder().encode("proptrade key id\n");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", concat(label, raw)));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function objectKey(master: CryptoKey, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: INFO },
    master,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

function nonce(index: number, final: boolean): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(12);
  bytes[0] = final ? 1 : 0;
  new DataView(bytes.buffer).setBigUint64(4, BigInt(index));
  return bytes;
}

/** Encrypts a stream with the ring's current key; `keyId` is to be stored beside the object. */
export function encryptStream(
  ring: KeyRing,
  plaintext: ReadableStream<Uint8Array>,
  chunkBytes = CHUNK_BYTES,
): { keyId: string; body: ReadableStream<Uint8Array> } {
  const keyId = ring.current;
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const header = headerOf(keyId, salt, chunkBytes);
  let key: CryptoKey;
  let index = 0;
  const pending = new Uint8Array(chunkBytes);
  let filled = 0;
  const seal = async (bytes: Uint8Array<ArrayBuffer>, final: boolean) =>
    new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce(index++, final), additionalData: header },
        key,
        bytes,
      ),
    );
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      key = await objectKey(ring.keys.get(keyId)!, salt);
      controller.enqueue(header);
    },
    async transform(chunk, controller) {
      for (let offset = 0; offset < chunk.length;) {
        // A full chunk is sealed only once more data arrives: the last one must carry the final flag.
        if (filled === chunkBytes) {
          // encrypt() copies its input, so the buffer can be refilled at once.
          controller.enqueue(await seal(pending, false));
          filled = 0;
        }
        const take = Math.min(chunk.length - offset, chunkBytes - filled);
        pending.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
      }
    },
    async flush(controller) {
      controller.enqueue(await seal(pending.slice(0, filled), true));
    },
  });
  return { keyId, body: plaintext.pipeThrough(transform) };
}

function headerOf(keyId: string, salt: Uint8Array, chunkBytes: number): Uint8Array<ArrayBuffer> {
  const id = new TextEncoder().encode(keyId);
  const header = new Uint8Array(MAGIC.length + 1 + id.length + SALT_BYTES + 4);
  header.set(MAGIC);
  header[MAGIC.length] = id.length;
  header.set(id, MAGIC.length + 1);
  header.set(salt, MAGIC.length + 1 + id.length);
  new DataView(header.buffer).setUint32(header.length - 4, chunkBytes);
  return header;
}

/** Decrypts a stream written by {@link encryptStream}; the stream errors with {@link DecryptionError}. */
export function decryptStream(
  ring: KeyRing,
  ciphertext: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  let buffered: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  let header: Uint8Array<ArrayBuffer> | null = null;
  let key: CryptoKey;
  let sealedBytes = 0;
  let index = 0;
  const open = async (bytes: Uint8Array<ArrayBuffer>, final: boolean) => {
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: nonce(index++, final), additionalData: header! },
          key,
          bytes,
        ),
      );
    } catch {
      throw new DecryptionError("The object is damaged, truncated or was not encrypted with this key.");
    }
  };
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      buffered = concat(buffered, chunk);
      if (!header) {
        const length = headerLength(buffered);
        if (length === null || buffered.length < length) return;
        header = buffered.slice(0, length);
        buffered = buffered.slice(length);
        const view = new DataView(header.buffer);
        const keyId = new TextDecoder().decode(header.subarray(MAGIC.length + 1, length - SALT_BYTES - 4));
        const master = ring.keys.get(keyId);
        if (!master) throw new DecryptionError(`No encryption key with id ${keyId} is configured.`);
        key = await objectKey(master, header.slice(length - SALT_BYTES - 4, length - 4));
        sealedBytes = view.getUint32(length - 4) + TAG_BYTES;
      }
      // Strictly more than one sealed chunk buffered: the first one is not the final one.
      while (buffered.length > sealedBytes) {
        controller.enqueue(await open(buffered.slice(0, sealedBytes), false));
        buffered = buffered.slice(sealedBytes);
      }
    },
    async flush(controller) {
      if (!header) throw new DecryptionError("The object has no encryption header.");
      controller.enqueue(await open(buffered, true));
    },
  });
  return ciphertext.pipeThrough(transform);
}

/** The header's length once enough bytes are there to tell, `null` before; throws on a foreign object. */
function headerLength(bytes: Uint8Array): number | null {
  if (bytes.length < MAGIC.length + 1) return null;
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new DecryptionError("The object is not encrypted.");
  return MAGIC.length + 1 + bytes[MAGIC.length] + SALT_BYTES + 4;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Encrypts `plaintext` into `store` under `key` (stored as `application/octet-stream`: the real type is the
 * caller's to keep). Returns the key id the caller stores beside the object.
 */
export async function putEncrypted(
  store: ObjectStore,
  ring: KeyRing,
  key: string,
  plaintext: ReadableStream<Uint8Array>,
): Promise<{ keyId: string }> {
  const { keyId, body } = encryptStream(ring, plaintext);
  await store.putStream(key, body);
  return { keyId };
}

/** The decrypted stream of the object under `key`, or `null` when there is none. */
export async function getDecrypted(
  store: ObjectStore,
  ring: KeyRing,
  key: string,
): Promise<ReadableStream<Uint8Array> | null> {
  const object = await store.getStream(key);
  return object && decryptStream(ring, object.body);
}
