import { acceptsGzip, gzip } from "./static_files.ts";
import { sha256Hex } from "./crypto.ts";

interface CachedPage {
  status: number;
  /**
   * Complete header sets, built once at store time: copying a Headers object into a response is several
   * times cheaper in Deno than converting a list, and headers are most of a cached hit's cost.
   */
  plainHeaders: Headers;
  gzipHeaders: Headers;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
  tags: string[];
  /** Epoch ms after which the copy is stale (Infinity: until its tags are invalidated). */
  expiresAt: number;
}

/**
 * Whole-response cache for pages that do not vary per request (no nonce: scripts, if any, are allowed by hash).
 * Entries are dropped by tag when the data behind them changes (`invalidate("plans")`); the app relays
 * invalidations over the bus so every process drops its copy. Bounded, least recently used first out.
 */
export class PageCache {
  readonly #entries = new Map<string, CachedPage>();
  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * A response for `req` from the cache, with the length of its body, or null on a miss. This is the hot
   * path of every public page.
   */
  match(key: string, req: Request): { response: Response; bytes: number } | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== Infinity && Date.now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return null;
    }
    this.#entries.delete(key); // re-insert: Map order doubles as recency order
    this.#entries.set(key, entry);
    const gzipped = acceptsGzip(req);
    const headers = gzipped ? entry.gzipHeaders : entry.plainHeaders;
    if (req.headers.get("if-none-match") === entry.etag) {
      return { response: new Response(null, { status: 304, headers }), bytes: 0 };
    }
    const body = req.method === "HEAD" ? null : gzipped ? entry.gzip : entry.body;
    return {
      response: new Response(body, { status: entry.status, headers }),
      bytes: body?.byteLength ?? 0,
    };
  }

  /**
   * Stores a rendered page (its body is read here; the caller gets an equivalent response back), for at most
   * `maxAgeSeconds` when given.
   */
  async store(key: string, tags: string[], res: Response, maxAgeSeconds?: number): Promise<Response> {
    const body = new Uint8Array(await res.arrayBuffer());
    const compressed = await gzip(body);
    const etag = `"${(await sha256Hex(body)).slice(0, 20)}"`;
    const base: [string, string][] = [
      ...[...res.headers].filter(([name]) =>
        !["content-length", "set-cookie", "etag", "vary"].includes(name)
      ),
      ["etag", etag],
      ["vary", "accept-encoding"],
      ["x-page-cache", "hit"],
    ];
    this.#entries.set(key, {
      status: res.status,
      plainHeaders: new Headers(base),
      gzipHeaders: new Headers([...base, ["content-encoding", "gzip"]]),
      body,
      gzip: compressed as Uint8Array<ArrayBuffer>,
      etag,
      tags,
      expiresAt: maxAgeSeconds === undefined ? Infinity : Date.now() + maxAgeSeconds * 1000,
    });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    const headers = new Headers(res.headers);
    headers.set("etag", etag);
    headers.set("vary", "accept-encoding");
    headers.set("x-page-cache", "miss");
    return new Response(body, { status: res.status, headers });
  }

  /** Drops every page tagged `tag` (or everything for `"*"`). */
  invalidate(tag: string): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (tag === "*" || entry.tags.includes(tag)) {
        this.#entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }
}
