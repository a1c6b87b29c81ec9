/**
 * A streaming `multipart/form-data` reader (RFC 7578). `Request.formData()` buffers every file whole, which
 * lib/body.ts forbids; this hands out each part's body as a stream instead, holding only the bytes that
 * might still turn out to be the boundary.
 *
 * @example
 * for await (const part of multipartParts(streamBody(req), boundaryOf(req.headers.get("content-type")))) {
 *   if (part.filename === null) fields[part.name] = await partText(part, 1024);
 *   else await store.putStream(key, part.body);   // read (or cancel) each body before the next part
 * }
 */
import { BadRequest, HttpError, Unprocessable } from "./errors.ts";

export interface MultipartPart {
  name: string;
  /** The file name a browser sent (`null` for a plain field); only ever a label, never a path or a type. */
  filename: string | null;
  contentType: string | null;
  body: ReadableStream<Uint8Array>;
}

const MAX_HEADER_BYTES = 8 * 1024;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();

/** The boundary of a `multipart/form-data` content type; 415 for any other type. */
export function boundaryOf(contentType: string | null): string {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i
    .exec(contentType ?? "");
  if (!match) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "The body must be multipart/form-data with a boundary.",
    );
  }
  return match[1] ?? match[2];
}

/**
 * The parts of a multipart body, in order. Each part's `body` must be read to its end or cancelled before
 * asking for the next part; a part left unread is skipped. At most `maxParts` parts (422 beyond).
 */
export async function* multipartParts(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  maxParts = 10,
): AsyncGenerator<MultipartPart> {
  const scanner = new Scanner(body.getReader());
  try {
    // The preamble (usually empty) ends at the first boundary, which has no CRLF before it.
    await scanner.skipPast(encoder.encode(`--${boundary}`));
    const delimiter = encoder.encode(`\r\n--${boundary}`);
    for (let count = 0;; count++) {
      await scanner.need(2);
      if (scanner.startsWith(encoder.encode("--"))) return; // the closing boundary; the epilogue is ignored
      if (!scanner.startsWith(CRLF)) throw new BadRequest("The multipart body is malformed.");
      scanner.consume(2);
      if (count === maxParts) throw new Unprocessable("body", `must have at most ${maxParts} parts`);
      const headers = parseHeaders(await scanner.readUntil(HEADER_END, MAX_HEADER_BYTES));
      let done = false;
      const stream = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const chunk = await scanner.nextBodyChunk(delimiter);
          if (chunk === null) {
            done = true;
            controller.close();
          } else controller.enqueue(chunk);
        },
        cancel: () => {},
      }, { highWaterMark: 0 });
      yield { ...headers, body: stream };
      // Whatever the consumer left unread (or cancelled) is skipped up to the next boundary.
      while (!done && await scanner.nextBodyChunk(delimiter) !== null) { /* skip */ }
    }
  } finally {
    scanner.release();
  }
}

/** A plain field's value as text, at most `maxBytes` (422 beyond). */
export async function partText(part: MultipartPart, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of part.body) {
    total += chunk.length;
    if (total > maxBytes) throw new Unprocessable(part.name, `must be at most ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

function parseHeaders(bytes: Uint8Array): Omit<MultipartPart, "body"> {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of new TextDecoder().decode(bytes).split("\r\n")) {
    const colon = line.indexOf(":");
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") contentType = value.toLowerCase();
    if (key !== "content-disposition") continue;
    name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1] ?? null;
    filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1] ?? null;
  }
  if (name === null) throw new BadRequest("A multipart part has no Content-Disposition name.");
  return { name, filename, contentType };
}

/** Buffered reading over the body stream, with bounded look-ahead. */
class Scanner {
  #buf: Uint8Array = new Uint8Array(0);
  #eof = false;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    if (this.#buf.length === 0) this.#buf = value;
    else {
      const next = new Uint8Array(this.#buf.length + value.length);
      next.set(this.#buf);
      next.set(value, this.#buf.length);
      this.#buf = next;
    }
    return true;
  }

  async need(bytes: number): Promise<void> {
    while (this.#buf.length < bytes) {
      if (!await this.#fill()) throw new BadRequest("The multipart body ended before it was complete.");
    }
  }

  startsWith(prefix: Uint8Array): boolean {
    return prefix.every((b, i) => this.#buf[i] === b);
  }

  consume(bytes: number): void {
    this.#buf = this.#buf.subarray(bytes);
  }

  async skipPast(needle: Uint8Array): Promise<void> {
    await this.readUntil(needle, 64 * 1024);
  }

  /** The bytes before `needle` (consumed with it); 400 when `max` bytes pass without it. */
  async readUntil(needle: Uint8Array, max: number): Promise<Uint8Array> {
    while (true) {
      const at = indexOf(this.#buf, needle);
      if (at !== -1) {
        const head = this.#buf.slice(0, at);
        this.consume(at + needle.length);
        return head;
      }
      if (this.#buf.length > max) throw new BadRequest("The multipart body is malformed.");
      await this.need(this.#buf.length + 1);
    }
  }

  /**
   * The next slice of a part's body, `null` once `delimiter` is reached (and consumed). Keeps back the last
   * `delimiter.length - 1` bytes, which may be the start of the delimiter.
   */
  async nextBodyChunk(delimiter: Uint8Array): Promise<Uint8Array | null> {
    while (true) {
      const at = indexOf(this.#buf, delimiter);
      if (at === 0) {
        this.consume(delimiter.length);
        return null;
      }
      // Views, not copies: a filled buffer is never written to again.
      if (at > 0) {
        const chunk = this.#buf.subarray(0, at);
        this.consume(at);
        return chunk;
      }
      const safe = this.#buf.length - (delimiter.length - 1);
      if (safe > 0) {
        const chunk = this.#buf.subarray(0, safe);
        this.consume(safe);
        return chunk;
      }
      await this.need(this.#buf.length + 1);
    }
  }

  release(): void {
    this.reader.cancel().catch(() => {});
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (let i = haystack.indexOf(first); i !== -1 && i <= haystack.length - needle.length;) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}
