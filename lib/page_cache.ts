import { acceptsGzip, gzip } from "./static_files.ts";
import { sha256Hex } from "./crypto.ts";

interface CachedPage {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  gzip: Uint8Array;
  etag: string;
  tags: string[];
}

/**
 * Whole-response cache for pages that do not vary per request (no islands → no nonce → identical bytes).
 * Entries are dropped by tag when the data behind them changes (`invalidate("plans")`); the app relays
 * invalidations over the bus so every process drops its copy. Bounded, least recently used first out.
 */
export class PageCache {
  readonly #entries = new Map<string, CachedPage>();
  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.#entries.size;
  }

  /** A response for `req` from the cache, or null on a miss. */
  match(key: string, req: Request): Response | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    this.#entries.delete(key); // re-insert: Map order doubles as recency order
    this.#entries.set(key, entry);
    const headers = new Headers(entry.headers);
    headers.set("etag", entry.etag);
    headers.set("x-page-cache", "hit");
    if (req.headers.get("if-none-match") === entry.etag) return new Response(null, { status: 304, headers });
    let body = entry.body;
    if (acceptsGzip(req)) {
      body = entry.gzip;
      headers.set("content-encoding", "gzip");
    }
    headers.set("content-length", String(body.length));
    return new Response(req.method === "HEAD" ? null : body as Uint8Array<ArrayBuffer>, {
      status: entry.status,
      headers,
    });
  }

  /** Stores a rendered page (its body is read here; the caller gets an equivalent response back). */
  async store(key: string, tags: string[], res: Response): Promise<Response> {
    const body = new Uint8Array(await res.arrayBuffer());
    const entry: CachedPage = {
      status: res.status,
      headers: [...res.headers].filter(([name]) => name !== "content-length" && name !== "set-cookie"),
      body,
      gzip: await gzip(body),
      etag: `"${(await sha256Hex(body)).slice(0, 20)}"`,
      tags,
    };
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    const headers = new Headers(res.headers);
    headers.set("etag", entry.etag);
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
