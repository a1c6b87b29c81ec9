/**
 * The S3 store (AWS S3, MinIO, s3rver…), spoken directly with SigV4 via aws4fetch. Path-style URLs
 * (`<endpoint>/<bucket>/<key>`) work with every S3-compatible server and need no DNS per bucket.
 */
import { AwsClient } from "aws4fetch";
import {
  contentTypeOf,
  DEFAULT_CONTENT_TYPE,
  encodeKeyPath,
  type ObjectStore,
  type StoredObject,
  type StreamedObject,
  toBytes,
  validateExpiry,
  validateKey,
  validatePrefix,
} from "./store.ts";

export interface S3Options {
  /** e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  bucket: string;
  /** Defaults to `us-east-1` (what MinIO and s3rver expect when none is configured). */
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * The endpoint as browsers reach it, when it differs from `endpoint` (e.g. an internal `http://minio:9000`
   * behind a public hostname). The host is part of the signature, so presigned URLs are signed for it.
   */
  publicEndpoint?: string;
  /** Keys per ListObjectsV2 page (S3 caps it at 1000); small values are for tests of pagination. */
  listPageSize?: number;
  /** Per-request timeout, so a hung S3 cannot hang the request that needed a document. */
  timeoutMs?: number;
  /** The clock presigned URLs are dated with (tests move it). */
  now?: () => Date;
}

/** A non-2xx answer from S3, carrying S3's own error code (`NoSuchBucket`, `SignatureDoesNotMatch`, …). */
export class S3Error extends Error {
  constructor(readonly operation: string, readonly status: number, readonly code: string, detail: string) {
    super(`S3 ${operation} failed: ${status} ${code}${detail ? ` (${detail})` : ""}`);
    this.name = "S3Error";
  }
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const RETRY_DELAYS_MS = [100, 400];

export class S3Store implements ObjectStore {
  readonly kind = "s3" as const;
  readonly #client: AwsClient;
  readonly #base: string;
  readonly #publicBase: string;
  readonly #pageSize: number;
  readonly #timeoutMs: number;
  readonly #now: () => Date;

  constructor(options: S3Options) {
    const region = options.region || "us-east-1";
    // `service`/`region` given explicitly: aws4fetch otherwise guesses them from an amazonaws.com hostname.
    // Its own retry loop is off (retries: 0) because it drops failed responses unread, which leaks them.
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      service: "s3",
      region,
      retries: 0,
    });
    const bucket = encodeURIComponent(options.bucket);
    this.#base = `${options.endpoint.replace(/\/+$/, "")}/${bucket}`;
    this.#publicBase = `${(options.publicEndpoint || options.endpoint).replace(/\/+$/, "")}/${bucket}`;
    this.#pageSize = Math.min(Math.max(options.listPageSize ?? 1000, 1), 1000);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#now = options.now ?? (() => new Date());
  }

  async put(key: string, body: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    validateKey(key);
    const res = await this.#send(`PUT ${key}`, this.#url(key), {
      method: "PUT",
      body: toBytes(body),
      headers: { "content-type": contentTypeOf(opts) },
    });
    await res.body?.cancel();
  }

  /**
   * Streams `body` up in parts of {@link PART_BYTES} (S3's minimum part size): one plain PUT when it fits in
   * one part, else a multipart upload, aborted on any error so no half object (nor stray parts) remain.
   * Not one streamed PUT: S3 wants a Content-Length, and fetch sends a stream chunked.
   */
  async putStream(
    key: string,
    body: ReadableStream<Uint8Array>,
    opts: { contentType?: string } = {},
  ): Promise<number> {
    validateKey(key);
    const contentType = contentTypeOf(opts);
    const parts = partsOf(body);
    const first = await parts.next();
    const firstPart = first.done ? new Uint8Array(0) : first.value;
    const second = first.done ? first : await parts.next();
    if (second.done) {
      await this.put(key, firstPart, { contentType });
      return firstPart.length;
    }
    const created = await this.#send(`CREATE ${key}`, `${this.#url(key)}?uploads`, {
      method: "POST",
      headers: { "content-type": contentType },
    });
    const uploadId = xmlValues(await created.text(), "UploadId")[0];
    const upload = `${this.#url(key)}?uploadId=${encodeURIComponent(uploadId)}`;
    const etags: string[] = [];
    let size = 0;
    try {
      let part: Uint8Array<ArrayBuffer> | null = firstPart;
      let next: IteratorResult<Uint8Array<ArrayBuffer>> = second;
      while (part) {
        const res = await this.#send(`PART ${key}`, `${upload}&partNumber=${etags.length + 1}`, {
          method: "PUT",
          body: part,
        });
        await res.body?.cancel();
        etags.push(res.headers.get("etag") ?? "");
        size += part.length;
        part = next.done ? null : next.value;
        if (part) next = await parts.next();
      }
      const xml = etags.map((etag, i) =>
        `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`
      );
      const done = await this.#send(`COMPLETE ${key}`, upload, {
        method: "POST",
        body: `<CompleteMultipartUpload>${xml.join("")}</CompleteMultipartUpload>`,
      });
      // S3 may answer 200 with an error document once the parts are joined.
      const text = await done.text();
      if (text.includes("<Error>")) throw new S3Error(`COMPLETE ${key}`, 200, xmlValues(text, "Code")[0], "");
      return size;
    } catch (error) {
      await parts.return(undefined);
      await this.#send(`ABORT ${key}`, upload, { method: "DELETE" }).then((r) => r.body?.cancel(), () => {});
      throw error;
    }
  }

  async getStream(key: string): Promise<StreamedObject | null> {
    validateKey(key);
    const res = await this.#send(`GET ${key}`, this.#url(key), { method: "GET" }, ["NoSuchKey"]);
    if (res.status === 404 || !res.body) return null;
    return {
      body: res.body,
      contentType: res.headers.get("content-type") || DEFAULT_CONTENT_TYPE,
      size: Number(res.headers.get("content-length") ?? 0),
    };
  }

  async get(key: string): Promise<StoredObject | null> {
    validateKey(key);
    const res = await this.#send(`GET ${key}`, this.#url(key), { method: "GET" }, ["NoSuchKey"]);
    if (res.status === 404) return null;
    return {
      body: new Uint8Array(await res.arrayBuffer()),
      contentType: res.headers.get("content-type") || DEFAULT_CONTENT_TYPE,
    };
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const res = await this.#send(`DELETE ${key}`, this.#url(key), { method: "DELETE" });
    await res.body?.cancel();
  }

  async list(prefix = ""): Promise<string[]> {
    validatePrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const url = new URL(this.#base);
      url.searchParams.set("list-type", "2");
      url.searchParams.set("max-keys", String(this.#pageSize));
      if (prefix) url.searchParams.set("prefix", prefix);
      if (token) url.searchParams.set("continuation-token", token);
      const xml = await (await this.#send(`LIST ${prefix || "(all)"}`, url.toString(), { method: "GET" }))
        .text();
      keys.push(...xmlValues(xml, "Key"));
      token = xmlValues(xml, "IsTruncated")[0] === "true"
        ? xmlValues(xml, "NextContinuationToken")[0]
        : undefined;
    } while (token);
    return keys.sort();
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    validateKey(key);
    validateExpiry(expiresInSeconds);
    const url = new URL(`${this.#publicBase}/${encodeKeyPath(key)}`);
    url.searchParams.set("X-Amz-Expires", String(expiresInSeconds));
    const signed = await this.#client.sign(url.toString(), {
      method: "GET",
      aws: { signQuery: true, datetime: this.#now().toISOString().replace(/[:-]|\.\d{3}/g, "") },
    });
    return signed.url;
  }

  async ping(): Promise<void> {
    const res = await this.#send("HEAD bucket", this.#base, { method: "HEAD" });
    await res.body?.cancel();
  }

  #url(key: string): string {
    return `${this.#base}/${encodeKeyPath(key)}`;
  }

  /**
   * Signs and sends one request, retrying transient 5xx/429 answers twice. Returns a 2xx response, or a 404
   * whose S3 code is in `allowed`; throws `S3Error` otherwise. Every unused body is consumed or cancelled,
   * since Deno keeps a connection resource open until it is.
   */
  async #send(operation: string, url: string, init: RequestInit, allowed: string[] = []): Promise<Response> {
    for (let attempt = 0;; attempt++) {
      const request = await this.#client.sign(url, init);
      const res = await fetch(request, { signal: AbortSignal.timeout(this.#timeoutMs) });
      if (res.ok) return res;
      // HEAD answers carry no body, so the status has to stand in for S3's code.
      let text = "";
      if (init.method === "HEAD") await res.body?.cancel();
      else text = await res.text();
      const code = xmlValues(text, "Code")[0] ?? statusCode(res.status);
      if (res.status === 404 && allowed.includes(code)) return new Response(null, { status: 404 });
      if (RETRYABLE.has(res.status) && attempt < RETRY_DELAYS_MS.length) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
        continue;
      }
      throw new S3Error(operation, res.status, code, xmlValues(text, "Message")[0] ?? "");
    }
  }
}

/** S3's smallest part (except the last) of a multipart upload; also the most `putStream` holds in memory. */
export const PART_BYTES = 5 * 1024 * 1024;

/** Cuts a stream into parts of exactly {@link PART_BYTES} (the last may be shorter; none is empty). */
async function* partsOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let part = new Uint8Array(PART_BYTES);
  let filled = 0;
  for await (const chunk of body) {
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(chunk.length - offset, PART_BYTES - filled);
      part.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === PART_BYTES) {
        yield part;
        part = new Uint8Array(PART_BYTES);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.slice(0, filled);
}

function statusCode(status: number): string {
  return ({ 403: "AccessDenied", 404: "NotFound", 400: "BadRequest" } as Record<number, string>)[status] ??
    `HTTP${status}`;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * The text of every `<tag>…</tag>` in an S3 XML answer. S3's answers are flat and regular, and Deno has no
 * DOMParser; the five XML entities and numeric references are all S3 emits inside values.
 */
function xmlValues(xml: string, tag: string): string[] {
  const values: string[] = [];
  for (const match of xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))) {
    values.push(match[1].replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] !== "#") return ENTITIES[ref] ?? whole;
      return String.fromCodePoint(
        ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)),
      );
    }));
  }
  return values;
}
