import { acceptsGzip, gzip } from "./static_files.ts";
import { sha256Hex } from "./crypto.ts";
import { type HeaderPair, HeaderTemplate } from "./header_template.ts";

/** A header a caller adds to one answer (`x-request-id`, say): name, value. */
export type ExtraHeader = HeaderPair;

/**
 * One encoding of a stored page: its complete headers, built once at store time (lib/header_template.ts: a
 * cached hit's headers are most of its cost). The response is built once with its final headers: setting a
 * header on a built response makes Deno throw away the native copy it made at construction and make another.
 */
interface Variant {
  stored: HeaderTemplate;
  /** The stored headers with the extra headers of the last answer that had some (see `withExtra`). */
  extra: HeaderTemplate | null;
}

/** A stored page (opaque outside this module: look it up, then answer with it). */
export interface CachedPage {
  readonly status: number;
  readonly plain: Variant;
  readonly gzip: Variant;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly gzipBody: Uint8Array<ArrayBuffer>;
  readonly etag: string;
  readonly tags: string[];
  /** Epoch ms after which the copy is stale (Infinity: until its tags are invalidated). */
  readonly expiresAt: number;
  /** When it was last answered, on the cache's own clock (least recently used goes first). */
  usedAt: number;
}

/** A cached page's answer to one request, with the length of its body (0 for HEAD and 304). */
export interface CachedAnswer {
  response: Response;
  bytes: number;
}

/**
 * Whole-response cache for pages that do not vary per request (no nonce: scripts, if any, are allowed by hash).
 * Entries are dropped by tag when the data behind them changes (`invalidate("plans")`); the app relays
 * invalidations over the bus so every process drops its copy. Bounded, least recently used first out.
 */
export class PageCache {
  readonly #entries = new Map<string, CachedPage>();
  #clock = 0;
  constructor(readonly maxEntries = 1000) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The page stored under `key`, or null (none, or expired: then it is dropped). The hot path's first half. */
  lookup(key: string): CachedPage | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== Infinity && Date.now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return null;
    }
    // A counter, not Map re-insertion: a hit costs no Map writes; eviction (rare) scans instead.
    entry.usedAt = ++this.#clock;
    return entry;
  }

  /**
   * `page`'s answer to `req`: gzipped if accepted, 304 when `If-None-Match` names it, no body for HEAD, with
   * `extra` headers added (set over stored ones of the same name). The hot path's second half.
   */
  respond(page: CachedPage, req: Request, extra?: readonly ExtraHeader[]): CachedAnswer {
    const gzipped = acceptsGzip(req);
    const headers = withExtra(gzipped ? page.gzip : page.plain, extra);
    if (req.headers.get("if-none-match") === page.etag) {
      return { response: new Response(null, { status: 304, headers }), bytes: 0 };
    }
    const body = req.method === "HEAD" ? null : gzipped ? page.gzipBody : page.body;
    return { response: new Response(body, { status: page.status, headers }), bytes: body?.byteLength ?? 0 };
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
      plain: variant(base),
      gzip: variant([...base, ["content-encoding", "gzip"]]),
      body,
      gzipBody: compressed as Uint8Array<ArrayBuffer>,
      etag,
      tags,
      expiresAt: maxAgeSeconds === undefined ? Infinity : Date.now() + maxAgeSeconds * 1000,
      usedAt: ++this.#clock,
    });
    if (this.#entries.size > this.maxEntries) this.#evictLeastRecent();
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

  #evictLeastRecent(): void {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [key, entry] of this.#entries) {
      if (entry.usedAt < oldest) [oldest, oldestKey] = [entry.usedAt, key];
    }
    if (oldestKey !== undefined) this.#entries.delete(oldestKey);
  }
}

function variant(headers: [string, string][]): Variant {
  return { stored: new HeaderTemplate(headers), extra: null };
}

/** `v`'s headers with `extra` set over them. */
function withExtra(v: Variant, extra: readonly ExtraHeader[] | undefined): Headers {
  if (!extra?.length) return v.stored.with();
  // The template for the previous answer's extra headers is reused only when they are the same names (each
  // then overwritten), so no header of one answer can reach another.
  if (!v.extra?.fits(extra)) v.extra = new HeaderTemplate(v.stored.fixed, extra.map(([name]) => name));
  return v.extra.with(extra);
}
