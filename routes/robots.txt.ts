import { define } from "./_define.ts";
import type { RouteConfig } from "../lib/define.ts";

/** The same for everyone; cached like the pages (the host comes from configuration, fixed at start-up). */
export const config: RouteConfig = { cache: { tags: ["site"] } };

/** Served from a route, not `static/`: the `Sitemap:` line must be absolute and the host is configurable. */
export const handler = define.handlers({
  GET(ctx) {
    const body = [
      "User-agent: *",
      "Allow: /",
      "Disallow: /api/",
      "Disallow: /admin",
      "Disallow: /account/",
      "",
      `Sitemap: ${ctx.state.deps.config.appUrl}/sitemap.xml`,
      "",
    ].join("\n");
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
});
