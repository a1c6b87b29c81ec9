import { define } from "./_define.ts";
import type { RouteConfig } from "../lib/define.ts";
import { LEGAL_PAGES } from "./legal/_layout.tsx";

/** The same for everyone; listed pages change only with the site. */
export const config: RouteConfig = { cache: { tags: ["site"] } };

/** Public, indexable pages, in the order a visitor meets them. */
const PUBLIC_PAGES = ["/", "/challenges", "/rules", "/faq", ...LEGAL_PAGES.map((p) => p.href)];

export const handler = define.handlers({
  GET(ctx) {
    const base = ctx.state.deps.config.appUrl;
    // Only pages whose route exists: a sitemap must never point at a 404 (e.g. before the FAQ has landed).
    const mounted = new Set(ctx.routes.map((r) => r.pattern));
    const urls = PUBLIC_PAGES.filter((path) => mounted.has(path))
      .map((path) => `  <url><loc>${escapeXml(base + path)}</loc></url>`);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join("\n")}\n</urlset>\n`;
    return new Response(xml, { headers: { "content-type": "application/xml; charset=utf-8" } });
  },
});

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
