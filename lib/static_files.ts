import { relative, walk } from "./fs.ts";
import { sha256Hex } from "./crypto.ts";

interface StaticFile {
  body: Uint8Array;
  gzip: Uint8Array | null;
  etag: string;
  contentType: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};
const COMPRESSIBLE = /\.(js|css|svg|json|map|txt|xml|webmanifest)$/;

/**
 * Files served as they are: `static/` at `/` (ETag + no-cache, since their names are stable) and build
 * outputs at `/_frsh/` (content-hashed names, so cached as immutable). Everything is read and gzipped once
 * at start-up: the sets are small, and no request then touches the disk.
 */
export class StaticFiles {
  readonly #files = new Map<string, StaticFile>();

  static async load(dirs: { dir: string; prefix: string; immutable: boolean; exclude?: string[] }[]) {
    const files = new StaticFiles();
    for (const { dir, prefix, immutable, exclude = [] } of dirs) {
      for await (const entry of walk(dir)) {
        const rel = relative(dir, entry.path);
        if (exclude.includes(rel)) continue;
        const body = await Deno.readFile(entry.path);
        const ext = entry.name.slice(entry.name.lastIndexOf("."));
        files.#files.set(prefix + rel, {
          body,
          gzip: COMPRESSIBLE.test(entry.name) && body.length > 512 ? await gzip(body) : null,
          etag: `"${(await sha256Hex(body)).slice(0, 20)}"`,
          contentType: TYPES[ext] ?? "application/octet-stream",
          cacheControl: immutable
            ? "public, max-age=31536000, immutable"
            : "public, max-age=0, must-revalidate",
        });
      }
    }
    return files;
  }

  has(pathname: string): boolean {
    return this.#files.has(pathname);
  }

  /** The response for `req`, or null when no static file has that path. */
  serve(req: Request, pathname: string): Response | null {
    const file = this.#files.get(pathname);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) return null;
    const headers = new Headers({
      "content-type": file.contentType,
      "cache-control": file.cacheControl,
      etag: file.etag,
      vary: "accept-encoding",
    });
    if (req.headers.get("if-none-match") === file.etag) return new Response(null, { status: 304, headers });
    let body = file.body;
    if (file.gzip && acceptsGzip(req)) {
      body = file.gzip;
      headers.set("content-encoding", "gzip");
    }
    headers.set("content-length", String(body.length));
    return new Response(req.method === "HEAD" ? null : body as Uint8Array<ArrayBuffer>, { headers });
  }
}

export function acceptsGzip(req: Request): boolean {
  return /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
}

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
