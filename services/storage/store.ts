/**
 * Object storage for documents (KYC files, payout statements): S3 when `S3_ENDPOINT` is configured,
 * otherwise files under `./data/objects/` (DESIGN §1). Objects are private; a browser only ever gets a
 * short-lived signed URL, issued after the caller's ownership check (DESIGN §6).
 */
import { Unprocessable } from "../../lib/errors.ts";

export interface StoredObject {
  /** Backed by a plain `ArrayBuffer`, so it can go straight into a `Response`. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

export interface StreamedObject {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  size: number;
}

export interface ObjectStore {
  /** Which adapter is behind this store (shown by health checks). */
  readonly kind: "s3" | "disk";
  /** Creates or replaces the object. The content type defaults to `application/octet-stream`. */
  put(key: string, body: Uint8Array | string, opts?: { contentType?: string }): Promise<void>;
  /**
   * Creates or replaces the object from a stream, holding at most one S3 part (5 MiB) in memory, never the
   * whole body. An error from `body` aborts the write and leaves no object behind. Resolves to the size.
   */
  putStream(key: string, body: ReadableStream<Uint8Array>, opts?: { contentType?: string }): Promise<number>;
  /** The object, or `null` when there is none under `key`. */
  get(key: string): Promise<StoredObject | null>;
  /** The object as a stream (the caller must read or cancel it), or `null` when there is none. */
  getStream(key: string): Promise<StreamedObject | null>;
  /** Removes the object; deleting a missing key is not an error (as in S3). */
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix` (all keys when omitted), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** A URL anyone holding it can GET for `expiresInSeconds` (1 s to 7 days); it does not check existence. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** Rejects when the backing store is unreachable or unusable. */
  ping(): Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const MAX_KEY_BYTES = 512;
/** Most filesystems cap a path component at 255 bytes; enforcing it everywhere keeps the adapters alike. */
const MAX_SEGMENT_BYTES = 255;
/** S3's own limit for presigned URLs (SigV4). */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const encoder = new TextEncoder();
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Throws `Unprocessable` (422, field `key`) unless `key` is a safe object key, and returns it otherwise.
 *
 * One rule set for both adapters, so a key accepted on a laptop is accepted in production and the other way
 * round. Keys are `/`-separated segments; the rules shut out path traversal on disk (`..`, leading `/`,
 * backslashes) and the keys a filesystem would silently normalise into another one (`a//b`, `a/./b`, `a/`).
 *
 * @example
 * validateKey("kyc/7f3c/passport.pdf"); // ok
 * validateKey("../etc/passwd");         // throws: key must not contain "." or ".." segments
 */
export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new Unprocessable("key", problem);
  return key;
}

/** Like `validateKey`, for a `list` prefix: empty is allowed, and so is a trailing `/` or partial segment. */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const problem = keyProblem(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  if (problem) throw new Unprocessable("prefix", problem);
  return prefix;
}

function keyProblem(key: string): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "must not be empty";
  if (encoder.encode(key).length > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return "must not contain control characters";
  if (key.includes("\\")) return "must not contain backslashes";
  if (key.startsWith("/")) return 'must not start with "/"';
  for (const segment of key.split("/")) {
    if (segment === "") return 'must not contain empty segments ("//" or a trailing "/")';
    if (segment === "." || segment === "..") return 'must not contain "." or ".." segments';
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
      return `must not have a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  return undefined;
}

/**
 * The content type to store: the default when none is given, else a printable-ASCII header value. Checked at
 * `put` because a CR/LF or non-ASCII value would otherwise only fail later, when the file is served.
 */
export function contentTypeOf(opts?: { contentType?: string }): string {
  const value = opts?.contentType;
  if (!value) return DEFAULT_CONTENT_TYPE;
  if (value.length > 255 || !/^[\x21-\x7e][\x20-\x7e]*$/.test(value)) {
    throw new Unprocessable("contentType", "must be a printable ASCII media type of at most 255 characters");
  }
  return value;
}

/** Throws unless `seconds` is a whole number in S3's range for presigned URLs. */
export function validateExpiry(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(
      `expiresInSeconds must be a whole number from 1 to ${MAX_PRESIGN_SECONDS}, got ${seconds}`,
    );
  }
  return seconds;
}

/** The body as bytes over a plain `ArrayBuffer` (strings are stored as UTF-8), as `fetch` bodies need. */
export function toBytes(body: Uint8Array | string): Uint8Array<ArrayBuffer> {
  if (typeof body === "string") return encoder.encode(body);
  return body.buffer instanceof ArrayBuffer ? body as Uint8Array<ArrayBuffer> : new Uint8Array(body);
}

/** Percent-encodes each segment (RFC 3986 unreserved kept) so a key can sit in a URL path unchanged. */
export function encodeKeyPath(key: string): string {
  return key.split("/").map((segment) =>
    encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  ).join("/");
}
