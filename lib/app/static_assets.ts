/** Static files and build outputs, answered before any route (they need no context or middleware). */
import type { MiddlewareHandler } from "hono";
import { join } from "../fs.ts";
import { StaticFiles } from "../static_files.ts";
import { BUILD_URL_PREFIX } from "../build_manifest.ts";
import { type SecurityOptions, withSecurityHeaders } from "../security_headers.ts";

/**
 * Serves `static/` at `/` and the build's `_fresh/static/` at `/_frsh/`, both read into memory now.
 * `static/styles.css` is the stylesheet's source: pages link the hashed build of it instead.
 */
export async function staticFiles(root: string, security: SecurityOptions): Promise<MiddlewareHandler> {
  const files = await StaticFiles.load([
    { dir: join(root, "static"), prefix: "/", immutable: false, exclude: ["styles.css"] },
    { dir: join(root, "_fresh", "static"), prefix: BUILD_URL_PREFIX, immutable: true },
  ]);
  return async (c, next) => {
    const res = files.serve(c.req.raw, c.req.path);
    if (res) return withSecurityHeaders(res, security);
    await next();
  };
}
