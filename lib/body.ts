/**
 * The one way a request body is read: counted while it streams, refused with 413 as soon as it passes the
 * route's limit, and given a deadline. Nothing else in the app calls `req.text()`, `req.json()`,
 * `req.formData()` or `req.arrayBuffer()`: those buffer whatever a client sends, so one unauthenticated
 * request could hold hundreds of megabytes (issue 9).
 *
 * Limits are declared per route, next to its schema: `bodyLimit` in the `defineApi` operation, or in the
 * page route's `config`. The framework (lib/app.ts) calls {@link admitBody} before any middleware runs, so
 * a `Content-Length` above the limit is answered at once, before authentication or rate-limit work, and
 * without reading a byte; a chunked body is cut off by {@link readBody} as soon as its count passes.
 */
import { apiOperation } from "./api.ts";
import type { RouteConfig } from "./define.ts";
import { BadRequest, PayloadTooLarge, RequestTimeout } from "./errors.ts";

/** What a route accepts unless it declares more: every JSON payload and page form of the app fits. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * How long a body may take to arrive once a handler starts reading it. 64 KB in 10 s is 6.4 KB/s, far
 * below any real client; a client dribbling bytes to hold a request open is cut off here.
 */
const BODY_TIMEOUT_MS = 10_000;

/** The limit the framework admitted each in-flight request under (dropped with the request). */
const admitted = new WeakMap<Request, number>();

/** The body limit a route module declares for `method`: its API operation's, else its page config's. */
export function routeBodyLimit(module: Readonly<Record<string, unknown>>, method: string): number {
  return apiOperation(module, method)?.bodyLimit ??
    (module.config as RouteConfig | undefined)?.bodyLimit ??
    DEFAULT_BODY_LIMIT;
}

/**
 * The framework's first step for a routed request: remembers the route's `limit` for {@link readBody} and
 * throws 413 when the declared `Content-Length` is already above it.
 */
export function admitBody(req: Request, limit: number): void {
  admitted.set(req, limit);
  refuseDeclaredLength(req, limit);
}

/** Options of {@link readBody}; the defaults are the route's admitted limit and {@link BODY_TIMEOUT_MS}. */
export interface ReadBodyOptions {
  limit?: number;
  timeoutMs?: number;
}

/**
 * Reads the whole body, at most `limit` bytes (413 past it, the stream cancelled at once) within
 * `timeoutMs` (408 after it). A body cut short by the client reads as 400. An absent body is empty.
 *
 * @example
 * const raw = new TextDecoder().decode(await readBody(ctx.req)); // e.g. to check a signature over it
 */
export async function readBody(req: Request, opts: ReadBodyOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const limit = opts.limit ?? admitted.get(req) ?? DEFAULT_BODY_LIMIT;
  const timeoutMs = opts.timeoutMs ?? BODY_TIMEOUT_MS;
  refuseDeclaredLength(req, limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout(timeoutMs)), timeoutMs);
  });
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await Promise.race([reader.read().catch(cutShort), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new PayloadTooLarge(limit);
      chunks.push(value);
    }
  } catch (error) {
    // Stop the client's stream: nothing more of it is read or buffered.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return concat(chunks, total);
}

/** {@link readBody} as UTF-8 text (invalid bytes become U+FFFD, as `req.text()` does). */
export async function readText(req: Request, opts?: ReadBodyOptions): Promise<string> {
  return new TextDecoder().decode(await readBody(req, opts));
}

/**
 * The body as a stream for routes that must not hold it whole (uploads): counted as it flows, it errors
 * with 413 past `limit` and with 408 when the whole body has not arrived within `timeoutMs`.
 *
 * @example
 * for await (const part of multipartParts(streamBody(ctx.req, { timeoutMs: 120_000 }), boundary)) …
 */
export function streamBody(req: Request, opts: ReadBodyOptions = {}): ReadableStream<Uint8Array> {
  const limit = opts.limit ?? admitted.get(req) ?? DEFAULT_BODY_LIMIT;
  const timeoutMs = opts.timeoutMs ?? BODY_TIMEOUT_MS;
  refuseDeclaredLength(req, limit);
  if (!req.body) return new ReadableStream({ start: (c) => c.close() });
  const reader = req.body.getReader();
  const deadline = Date.now() + timeoutMs;
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeout(timeoutMs)), Math.max(0, deadline - Date.now()));
      });
      try {
        const { done, value } = await Promise.race([reader.read().catch(cutShort), late]);
        if (done) return controller.close();
        total += value.byteLength;
        if (total > limit) throw new PayloadTooLarge(limit);
        controller.enqueue(value);
      } catch (error) {
        reader.cancel().catch(() => {});
        controller.error(error);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function refuseDeclaredLength(req: Request, limit: number): void {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > limit) throw new PayloadTooLarge(limit);
}

/** The client closed the connection mid-body: nobody reads the answer, but it is no error of ours. */
function cutShort(): never {
  throw new BadRequest("The body ended before it was complete.");
}

function concat(chunks: Uint8Array<ArrayBuffer>[], total: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
