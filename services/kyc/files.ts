/**
 * The bytes of KYC documents: recognised by content, capped while they stream, encrypted by the app
 * (services/storage/encryption.ts) before they reach S3 or the disk, and decrypted only on a signed view.
 */
import { PayloadTooLarge, Unprocessable } from "../../lib/errors.ts";
import type { Config } from "../config.ts";
import { getDecrypted, type KeyRing, keyRing, putEncrypted } from "../storage/encryption.ts";
import type { ObjectStore } from "../storage/store.ts";

/** DESIGN §3.3: each document at most 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export type DocumentType = "image/jpeg" | "image/png" | "application/pdf";

/** Magic numbers: what the file *is*, whatever its name or the browser's Content-Type claim. */
const SIGNATURES: { type: DocumentType; bytes: number[] }[] = [
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "application/pdf", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // "%PDF-"
];
const SNIFF_BYTES = 8;

/** The document type the first bytes show, or `null` for anything else (HTML, SVG, executables…). */
export function sniffType(head: Uint8Array): DocumentType | null {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b))?.type ?? null;
}

const rings = new WeakMap<object, Promise<KeyRing>>();

/** The KYC key ring of `config` (built once per config). */
export function kycKeyRing(config: Pick<Config, "kycEncryptionKey" | "kycEncryptionKeysRetired">) {
  let ring = rings.get(config);
  if (!ring) {
    // ensureSecrets fills the key outside production and loadConfig demands it in production.
    if (!config.kycEncryptionKey) throw new Error("KYC_ENCRYPTION_KEY is not configured.");
    ring = keyRing(config.kycEncryptionKey, config.kycEncryptionKeysRetired);
    rings.set(config, ring);
  }
  return ring;
}

interface StoredDocument {
  storageKey: string;
  keyId: string;
  contentType: DocumentType;
  sizeBytes: number;
}

/**
 * Streams one uploaded file into storage under a fresh key: its first bytes decide the type (422 unless
 * JPEG, PNG or PDF), the count refuses it past {@link MAX_DOCUMENT_BYTES} (413), and it is encrypted on the
 * way. On any failure nothing stays stored.
 */
export async function storeDocumentFile(
  store: ObjectStore,
  ring: KeyRing,
  userId: string,
  file: ReadableStream<Uint8Array>,
): Promise<StoredDocument> {
  const storageKey = `kyc/${userId}/${crypto.randomUUID()}`;
  let head = new Uint8Array(0);
  let contentType: DocumentType | null = null;
  let size = 0;
  const check = (controller: TransformStreamDefaultController<Uint8Array>) => {
    contentType = sniffType(head);
    if (!contentType) {
      throw new Unprocessable("file", "must be a JPEG, PNG or PDF file (recognised by its content)");
    }
    controller.enqueue(head);
  };
  const guarded = file.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.length;
        if (size > MAX_DOCUMENT_BYTES) throw new PayloadTooLarge(MAX_DOCUMENT_BYTES);
        if (contentType) return controller.enqueue(chunk);
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        if (head.length >= SNIFF_BYTES) check(controller);
      },
      flush(controller) {
        if (size === 0) throw new Unprocessable("file", "is empty");
        if (!contentType) check(controller);
      },
    }),
  );
  try {
    const { keyId } = await putEncrypted(store, ring, storageKey, guarded);
    return { storageKey, keyId, contentType: contentType!, sizeBytes: size };
  } catch (error) {
    await store.delete(storageKey).catch(() => {});
    throw error;
  }
}

/** The plaintext stream of a stored document, or `null` when its object is gone. */
export async function readDocumentFile(
  store: ObjectStore,
  ring: KeyRing,
  storageKey: string,
): Promise<ReadableStream<Uint8Array> | null> {
  return await getDecrypted(store, ring, storageKey);
}
